using AbstractCore.Api.Spend;
using AbstractCore.Api.Tests.Auth;
using Microsoft.Extensions.Logging;
using static AbstractCore.Api.Tests.Spend.SpendTestKit;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>
/// Redis killed by its process id while a replica records: requests keep being counted in memory and budgets keep
/// rising, one warning says so, and when Redis is back what was recorded meanwhile reaches it exactly once.
/// </summary>
public sealed class RedisSpendOutageTests(RedisSpendFixture fx) : IClassFixture<RedisSpendFixture>
{
    [Fact]
    public async Task Spend_recorded_while_redis_is_down_reaches_it_once_when_it_returns()
    {
        await using var redis = await fx.ConnectAsync();
        var logs = new CapturingLoggerProvider();
        using var ledger = Ledger(new RedisSpendStore(() => redis), logs: logs);
        var key = Key(NewKeyId(), "daily");

        ledger.Record(Entry(key.Id, 1m));
        Assert.True(await ledger.FlushAsync());

        await fx.Redis.KillAsync();
        ledger.Record(Entry(key.Id, 0.5m, input: 100));
        Assert.False(await ledger.FlushAsync());
        ledger.Record(Entry(key.Id, 0.25m, input: 10, model: "gpt-4o-mini"));
        Assert.False(await ledger.FlushAsync());
        ledger.Record(Entry(key.Id, 0.125m, input: 1));
        Assert.Equal(1.875m, ledger.SpentInPeriod(key)); // the last shared figure and everything since

        // The server comes back empty (it keeps nothing on disk): what it held before the kill is gone, what the replica
        // recorded meanwhile must arrive, once.
        await fx.Redis.RestartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await ledger.FlushAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, "The ledger did not reach Redis again within 30 s.");
            await Task.Delay(100);
        }

        Assert.True(await ledger.FlushAsync());
        var rows = await RowsAsync(ledger, keyId: key.Id);
        Assert.Equal([("gpt-4o", 2L, 101L, 0.625m), ("gpt-4o-mini", 1L, 10L, 0.25m)], rows.Select(r => (r.Model!, r.Requests, r.InputTokens, r.CostUsd)));
        Assert.Equal(0.875m, ledger.SpentInPeriod(key));

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("spend is kept in memory", warning.Line, StringComparison.Ordinal);
        Assert.Contains("written to Redis when it answers again", warning.Line, StringComparison.Ordinal);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Information && e.Line.Contains("Redis answers again", StringComparison.Ordinal));
    }
}
