using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>A fake Anthropic Messages API on real Kestrel and a gateway whose <c>anthropic</c> provider points at it.</summary>
public sealed class AnthropicFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string ApiKey = "sk-ant-test-key";
    public const string Model = "anthropic/claude-test";

    public FakeAnthropicUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeAnthropicUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ANTHROPIC_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ANTHROPIC_API_KEY"] = ApiKey,
        });
        _ = Gateway.Server;
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
