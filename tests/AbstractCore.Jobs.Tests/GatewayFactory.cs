namespace AbstractCore.Jobs.Tests;

/// <summary>An Api replica (the gateway) on the in-memory test server: it queues jobs and answers their polls.</summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : ConfiguredAppFactory<Program>(settings)
{
    public const string Token = "test-server-token";
}
