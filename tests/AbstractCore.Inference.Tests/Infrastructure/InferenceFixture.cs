namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>One Inference service shared by a test class (default limits).</summary>
public sealed class InferenceFixture : IAsyncLifetime
{
    public InferenceHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await InferenceHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
