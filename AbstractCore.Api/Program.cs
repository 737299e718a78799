using AbstractCore.Api.Auth;
using AbstractCore.Api.Chat;
using AbstractCore.Api.ControlPlane;
using AbstractCore.Api.Errors;
using AbstractCore.Api.Health;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Logging;
using AbstractCore.Api.Models;
using AbstractCore.Api.Telemetry;

if (AbstractCore.Cli.AbstractCoreCli.IsCliInvocation(args))
{
    return AbstractCore.Cli.AbstractCoreCli.Run(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(CommandLine.Normalize(args));
builder.AddLoggingDefaults();
builder.Configuration.AddAbstractCoreConfigFile();
builder.ConfigureListenAddress();
builder.AddServiceDefaults();
builder.AddGateway();
builder.AddGatewayTelemetry();
builder.AddRequestLogging();

var app = builder.Build();
app.UseGatewayMetrics();
app.UseRequestLogging();
app.UseGatewayErrors();
app.UseServerAuth();
app.UseQueryApiKeyRule();
app.MapDefaultEndpoints();
app.MapHealth();
app.MapAuthValidation();
app.MapChatCompletions();
AbstractCore.Api.Responses.ResponsesEndpoint.MapResponses(app);
app.MapModels();
AbstractCore.Api.Capabilities.MediaServices.MapMedia(app);
AbstractCore.Api.Images.ImagesEndpoint.MapImages(app);
AbstractCore.Api.Videos.VideosEndpoint.MapVideos(app);
AbstractCore.Api.Jobs.JobsEndpoint.MapJobs(app);
app.MapResidencyControl();
app.MapPromptCacheControl();
app.MapDocs();
app.LogStartup();
app.Run();
return 0;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
