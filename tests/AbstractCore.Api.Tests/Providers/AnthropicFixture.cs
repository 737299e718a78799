using System.ClientModel;
using System.ClientModel.Primitives;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit;
using OpenAI;
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

    public HttpClient Http()
    {
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    /// <summary>The official OpenAI .NET SDK pointed at the gateway.</summary>
    public ChatClient Chat(string model = Model) => new(model, new ApiKeyCredential(Token), new OpenAIClientOptions
    {
        Endpoint = new Uri(Gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(Gateway.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });
}
