namespace AbstractCore.Api.Tests.Infrastructure;

/// <summary>A fake OpenAI-compatible upstream serving both <c>openai-compatible/*</c> and, as the local inference
/// service, <c>onnx/*</c>, so what reaches each can be seen on the wire.</summary>
public sealed class InferenceGatewayFixture : IAsyncLifetime
{
    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        var root = Upstream.BaseUrl.AbsoluteUri.TrimEnd('/');
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_INFERENCE_URL"] = root.EndsWith("/v1", StringComparison.Ordinal) ? root[..^3] : root,
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    public HttpClient Http() => Gateway.Http(GatewayFixture.Token);
}
