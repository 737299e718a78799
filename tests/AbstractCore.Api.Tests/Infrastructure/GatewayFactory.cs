using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>The real gateway on the in-memory test server, configured by plain settings (as env vars would).</summary>
/// <param name="testServices">Registrations that replace the gateway's own (a test's stand-in for what the machine lacks).</param>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? testServices = null)
    : ConfiguredAppFactory<Program>(settings)
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    /// <summary>The official OpenAI .NET SDK pointed at the gateway, without retries so tests see every failure.</summary>
    public ChatClient Chat(string model, string token) => new(model, new ApiKeyCredential(token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}
