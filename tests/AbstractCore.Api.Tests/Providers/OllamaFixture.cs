using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>A fake Ollama on real Kestrel and a gateway whose <c>OLLAMA_BASE_URL</c> points at it, guarded by a server token.</summary>
public sealed class OllamaFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string Model = "ollama/llama3.2";

    public FakeOllamaUpstream Ollama { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Ollama = await FakeOllamaUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OLLAMA_BASE_URL"] = Ollama.BaseUrl,
        });
        _ = Gateway.Server; // start now, not in the first test
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Ollama.DisposeAsync();
    }

    /// <summary>An HttpClient to the gateway carrying the server token.</summary>
    public HttpClient Http() => Http(Gateway);

    /// <summary>The official OpenAI .NET SDK pointed at the gateway.</summary>
    public ChatClient Chat(string model = Model) => Chat(Gateway, model);

    public static HttpClient Http(GatewayFactory gateway) => gateway.Http(Token);

    public static ChatClient Chat(GatewayFactory gateway, string model = Model) => gateway.Chat(model, Token);
}
