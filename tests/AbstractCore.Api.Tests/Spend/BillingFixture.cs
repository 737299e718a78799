using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>
/// Fake media servers on real Kestrel, <c>openai-compatible</c> (embeddings, audio) and <c>vllm</c> (images, jobs),
/// behind a <see cref="BillingGateway"/>. Jobs run in the gateway's process (no RabbitMQ), kept in memory.
/// </summary>
public class BillingFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";

    private readonly string _configDir = Directory.CreateTempSubdirectory("acore-billing-").FullName;

    public FakeMediaUpstream Media { get; private set; } = null!;
    public FakeVisionUpstream Vision { get; private set; } = null!;
    public BillingGateway Gateway { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Media = await FakeMediaUpstream.StartAsync();
        Vision = await FakeVisionUpstream.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Media.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
            ["VLLM_BASE_URL"] = Vision.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_JOBS_RETRIES"] = "0",
            ["ABSTRACTCORE_CONFIG_FILE"] = Path.Combine(_configDir, "abstractcore.json"),
        };
        AddSettings(settings);
        Gateway = new BillingGateway(settings);
        _ = Gateway.Server;
    }

    public virtual async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Vision.DisposeAsync();
        await Media.DisposeAsync();
        Directory.Delete(_configDir, recursive: true);
    }

    protected virtual void AddSettings(Dictionary<string, string?> settings)
    {
    }
}

/// <summary>The same, with job records in a real <c>redis-server</c>: the store every replica and worker shares.</summary>
public sealed class RedisBillingFixture : BillingFixture
{
    public RedisServerFixture Redis { get; } = new();

    public override async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }

    protected override void AddSettings(Dictionary<string, string?> settings) => settings["ConnectionStrings:cache"] = Redis.ConnectionString;
}
