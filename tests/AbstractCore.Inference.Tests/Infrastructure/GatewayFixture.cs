namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>An Inference host and the Api gateway routing <c>onnx/*</c> to it.</summary>
public class GatewayFixture : IAsyncLifetime
{
    public InferenceHost Inference { get; private set; } = null!;

    internal GatewayHost Gateway { get; private set; } = null!;

    /// <summary>Inference settings for this fixture (limits, cache budget).</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public async Task InitializeAsync()
    {
        Inference = await InferenceHost.StartAsync(Settings);
        Gateway = new GatewayHost(Inference.V1);
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Inference.DisposeAsync();
    }
}
