using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Caching.CacheCalls;

namespace AbstractCore.Api.Tests.Caching;

/// <summary>
/// Two gateway replicas sharing a real Redis (the <c>cache</c> connection string) as the response cache's L2: what one
/// stored, the other answers, its own in-process cache never having seen the request.
/// </summary>
public sealed class ResponseCacheRedisTests : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private FakeOpenAIUpstream _upstream = null!;
    private GatewayFactory _replicaA = null!;
    private GatewayFactory _replicaB = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _upstream = await FakeOpenAIUpstream.StartAsync();
        GatewayFactory Replica() => new(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = _redis.ConnectionString,
        });
        (_replicaA, _replicaB) = (Replica(), Replica());
    }

    public async Task DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        await _upstream.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_answer_stored_by_one_replica_is_a_hit_on_the_other(bool stream)
    {
        using var a = _replicaA.Http(GatewayFixture.Token);
        using var b = _replicaB.Http(GatewayFixture.Token);
        var json = ChatBody(Unique(), $$""","temperature":0,"stream":{{(stream ? "true" : "false")}},"cache":{"ttl_s":60}""");

        var (stored, storedBody) = await PostAsync(a, json);
        var (replayed, replayedBody) = await PostAsync(b, json);

        Assert.Equal("miss", Cache(stored));
        Assert.Equal("hit", Cache(replayed));
        Assert.Equal(storedBody, replayedBody);
        Assert.Equal(1, _upstream.ChatRequestCount);
    }
}
