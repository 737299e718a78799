using AbstractCore.Blocs;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>The Redis store against a real redis-server (the test kit's fixture): the contract, and two replicas' stores
/// sharing the same blocs.</summary>
public sealed class RedisBlocStoreTests : BlocStoreContract, IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private ConnectionMultiplexer _connection = null!;
    private IBlocStore _store = null!;

    protected override IBlocStore Store => _store;

    protected override async Task<int> StoredTextsAsync()
    {
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var count = 0;
        await foreach (var _ in server.KeysAsync(pattern: "acore:blocs:content:*"))
        {
            count++;
        }

        return count;
    }

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
        _store = BlocStores.Redis(_connection);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Two_replicas_see_the_same_blocs_and_never_give_one_id_twice()
    {
        await using var other = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var replica = BlocStores.Redis(other);

        var upserts = Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? _store : replica).UpsertAsync(Draft("t" + i), "t" + i, default));
        var records = await Task.WhenAll(upserts);

        Assert.Equal(20, records.Select(r => r.BlocId).Distinct().Count());
        Assert.Equal(20, (await replica.ListAsync(default, default)).Count);
        Assert.Equal("t3", await _store.GetTextAsync(records[3], default));
    }
}
