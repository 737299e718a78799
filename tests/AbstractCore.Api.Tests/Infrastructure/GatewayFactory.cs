using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>The real gateway on the in-memory test server, configured by plain settings (as env vars would).</summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : ConfiguredAppFactory<Program>(settings)
{
    /// <summary>The official OpenAI .NET SDK pointed at the gateway, without retries so tests see every failure.</summary>
    public ChatClient Chat(string model, string token) => new(model, new ApiKeyCredential(token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}
