using AbstractCore.Api.ControlPlane;
using AbstractCore.Api.Health;
using AbstractCore.Api.Hosting;
using AbstractCore.Cli;

if (AbstractCoreCli.IsCliInvocation(args))
{
    return AbstractCoreCli.Run(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(CommandLine.Normalize(args)).AddGatewayHost();
var app = builder.Build().UseGatewayMiddleware();
app.MapDefaultEndpoints();
app.MapHealth();
app.MapOpenAIApi();
app.MapControlPlane();
app.MapDocs();
app.LogStartup();
app.Run();
return 0;

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "Test fixtures derive public WebApplicationFactory types from it.")]
public partial class Program;
