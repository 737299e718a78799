using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>A fake OpenAI-compatible upstream on real Kestrel and a gateway that routes
/// <c>openai-compatible/*</c> to it, guarded by a server token.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string Model = "openai-compatible/fake-model";

    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
            ["VLLM_BASE_URL"] = "http://127.0.0.1:1/v1",
        });
        _ = Gateway.Server; // start now, not in the first test
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>An HttpClient to the gateway carrying the server token.</summary>
    public HttpClient Http() => Gateway.Http(Token);

    /// <summary>The official OpenAI .NET SDK pointed at the gateway.</summary>
    public ChatClient Chat(string model = Model) => Gateway.Chat(model, Token);
}
