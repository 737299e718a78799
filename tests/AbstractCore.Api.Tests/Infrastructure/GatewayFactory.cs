using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenAI;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>The real gateway on the in-memory test server, configured by plain settings (as env vars would).</summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Never read the machine's ~/.abstractcore config file in tests.
        builder.UseSetting("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>An HttpClient to the gateway carrying the server token.</summary>
    public HttpClient Http(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>The official OpenAI .NET SDK pointed at the gateway, without retries so tests see every failure.</summary>
    public ChatClient Chat(string model, string token) => new(model, new ApiKeyCredential(token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}
