using AbstractCore.Api.Auth;
using AbstractCore.Api.Chat;
using AbstractCore.Api.Errors;
using AbstractCore.Api.Health;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Models;

var builder = WebApplication.CreateBuilder(CommandLine.Normalize(args));
builder.ConfigureListenAddress();
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseGatewayErrors();
app.UseServerAuth();
app.MapDefaultEndpoints();
app.MapHealth();
app.MapAuthValidation();
app.MapChatCompletions();
app.MapModels();
app.MapDocs();
app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
