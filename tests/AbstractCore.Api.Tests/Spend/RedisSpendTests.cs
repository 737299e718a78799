using AbstractCore.Api.Hosting;
using AbstractCore.Api.Spend;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static AbstractCore.Api.Tests.Spend.SpendTestKit;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>A real <c>redis-server</c> and the clients of two replicas, connected as the gateway connects.</summary>
public sealed class RedisSpendFixture : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = new();

    public async Task InitializeAsync() => await Redis.InitializeAsync();

    public Task DisposeAsync() => Redis.DisposeAsync();

    public async Task<ConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync(GatewayRedis.RequestPathDefaults + Redis.ConnectionString);
}

/// <summary>Replicas share the ledger through Redis: each sees the others' spend after a flush, and a batch counts once.</summary>
public sealed class RedisSpendTests(RedisSpendFixture fx) : IClassFixture<RedisSpendFixture>
{
    [Fact]
    public async Task Two_replicas_see_each_others_spend_after_a_flush()
    {
        await using var redisA = await fx.ConnectAsync();
        await using var redisB = await fx.ConnectAsync();
        using var a = Ledger(new RedisSpendStore(() => redisA));
        using var b = Ledger(new RedisSpendStore(() => redisB));
        var id = NewKeyId();
        var key = Key(id, "daily");

        a.Record(Entry(id, 1.5m));
        b.Record(Entry(id, 2.25m, model: "gpt-4o-mini"));
        Assert.Equal((1.5m, 2.25m), (a.SpentInPeriod(key), b.SpentInPeriod(key))); // each its own until it flushes

        Assert.True(await a.FlushAsync());
        Assert.True(await b.FlushAsync());
        Assert.True(await a.FlushAsync());

        Assert.Equal((3.75m, 3.75m), (a.SpentInPeriod(key), b.SpentInPeriod(key)));
        Assert.Equal([("gpt-4o", 1.5m), ("gpt-4o-mini", 2.25m)], (await RowsAsync(b, keyId: id)).Select(r => (r.Model!, r.CostUsd)));
    }

    [Fact]
    public async Task A_replica_reads_the_shared_totals_of_a_key_it_has_only_checked()
    {
        await using var redisA = await fx.ConnectAsync();
        await using var redisB = await fx.ConnectAsync();
        using var a = Ledger(new RedisSpendStore(() => redisA));
        using var b = Ledger(new RedisSpendStore(() => redisB));
        var key = Key(NewKeyId(), "monthly");

        a.Record(Entry(key.Id, 4m));
        Assert.True(await a.FlushAsync());
        Assert.Equal(0m, b.SpentInPeriod(key)); // first sight: known from the next flush on
        Assert.True(await b.FlushAsync());

        Assert.Equal(4m, b.SpentInPeriod(key));
    }

    [Fact]
    public async Task Two_gateways_on_one_redis_share_a_keys_budget()
    {
        GatewayFactory Replica() => new(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ConnectionStrings:cache"] = fx.Redis.ConnectionString,
            [SpendFlusher.IntervalSetting] = "50",
        });
        await using var a = Replica();
        await using var b = Replica();
        var key = Key(NewKeyId(), "daily");
        var ledgerB = b.Services.GetRequiredService<SpendLedger>();
        Assert.Equal(0m, ledgerB.SpentInPeriod(key));

        a.Services.GetRequiredService<SpendLedger>().Record(Entry(key.Id, 2.5m, at: DateTimeOffset.UtcNow));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ledgerB.SpentInPeriod(key) != 2.5m)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Replica b never saw a's spend (it reads {ledgerB.SpentInPeriod(key)}).");
            await Task.Delay(20);
        }

        using var http = b.Http(GatewayFixture.Token);
        var (_, body) = await Wire.GetAsync(http, "/acore/spend?group_by=key&key_id=" + key.Id);
        Assert.Equal(2.5m, (decimal)body!["total_cost_usd"]!);
    }

    [Fact]
    public async Task A_batch_sent_again_counts_once_and_an_older_one_not_at_all()
    {
        await using var redis = await fx.ConnectAsync();
        var store = new RedisSpendStore(() => redis);
        var id = NewKeyId();
        var today = DateOnly.FromDateTime(Sunday.UtcDateTime);
        var counts = new SpendCounts();
        counts.Add(Entry(id, 0.75m, input: 10, output: 5, keyName: "n"));
        SpendBatch Batch(long sequence) => new("replica-" + id, sequence, [KeyValuePair.Create(SpendRowKey.Of(Entry(id, 0m)), counts)]);

        await store.ApplyAsync(Batch(1), [id], today, CancellationToken.None);
        var again = await store.ApplyAsync(Batch(1), [id], today, CancellationToken.None); // its answer was lost: sent again
        await store.ApplyAsync(Batch(2), [], today, CancellationToken.None);
        var late = await store.ApplyAsync(Batch(1), [id], today, CancellationToken.None); // a stale copy arriving after

        Assert.Equal(new PeriodTotals(today, 750_000_000, 750_000_000, 750_000_000, 750_000_000), again[id]);
        Assert.Equal(1_500_000_000, late[id].Total);
        var row = Assert.Single(await store.ReadAsync(today, today, CancellationToken.None), r => r.Key.KeyId == id);
        Assert.Equal((2, 20, 10, 1_500_000_000, "n"), (row.Value.Requests, row.Value.InputTokens, row.Value.OutputTokens, row.Value.CostNanos, row.Value.KeyName));
    }

    [Fact]
    public async Task A_backlog_larger_than_a_batch_goes_out_in_several_and_all_of_it_arrives()
    {
        await using var redis = await fx.ConnectAsync();
        using var ledger = Ledger(new RedisSpendStore(() => redis));
        var id = NewKeyId();
        var models = SpendLedger.MaxBatchRows * 2 + 1;
        for (var i = 0; i < models; i++)
        {
            ledger.Record(Entry(id, 0.001m, model: "m" + i));
        }

        Assert.True(await ledger.FlushAsync());

        var rows = await RowsAsync(ledger, keyId: id);
        Assert.Equal(models, rows.Count);
        Assert.Equal(models * 0.001m, rows.Sum(r => r.CostUsd));
        Assert.Equal(models * 0.001m, ledger.SpentInPeriod(Key(id)));
    }
}
