using AbstractCore.Api.Spend;
using AbstractCore.Api.Telemetry;
using AbstractCore.Spend;
using AbstractCore.TestKit.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static AbstractCore.Api.Tests.Spend.SpendTestKit;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>The ledger over the local store: what it counts, how a query filters and groups it, and each budget period.</summary>
public sealed class SpendLedgerTests
{
    private static readonly DateTimeOffset Monday = Sunday.AddDays(1);

    [Fact]
    public async Task A_row_sums_every_counter_of_its_key_model_and_day()
    {
        using var ledger = Ledger();
        ledger.Record(Entry("k1", 0.25m, input: 100, output: 20));
        ledger.Record(Entry("k1", 0m, input: 100, output: 20, cacheHit: true));
        ledger.Record(Entry("k1", 0m, input: 7, priced: false));
        ledger.Record(Entry("k1", 0.125m, output: 3, estimated: true) with
        {
            Priced = new PricedUsage(new Usage { OutputTokens = 3, CachedInputTokens = 2, Images = 2, AudioSeconds = 1.5, Estimated = true }, 0.125m, true),
        });

        var row = Assert.Single(await RowsAsync(ledger));

        Assert.Equal(("k1", "k1-name", "openai", "gpt-4o", new DateOnly(2026, 12, 6)), (row.KeyId, row.KeyName, row.Provider, row.Model, row.Day));
        Assert.Equal(4, row.Requests);
        Assert.Equal(1, row.CacheHits);
        Assert.Equal(207, row.InputTokens);
        Assert.Equal(48, row.OutputTokens);
        Assert.Equal(2, row.CachedInputTokens);
        Assert.Equal(2, row.Images);
        Assert.Equal(1.5, row.AudioSeconds);
        Assert.Equal(0.375m, row.CostUsd);
        Assert.Equal(1, row.UnpricedRequests);
        Assert.Equal(1, row.EstimatedRequests);
    }

    [Fact]
    public async Task A_query_filters_by_key_model_provider_and_days_inclusive()
    {
        using var ledger = Ledger();
        ledger.Record(Entry("k1", 1m));
        ledger.Record(Entry("k1", 2m, at: Monday, model: "gpt-4o-mini"));
        ledger.Record(Entry("k2", 4m, provider: "anthropic", model: "claude"));
        ledger.Record(Entry("k2", 8m, at: Monday.AddDays(1)));

        Assert.Equal([1m, 2m], (await RowsAsync(ledger, keyId: "k1")).Select(r => r.CostUsd));
        Assert.Equal([1m, 8m], (await RowsAsync(ledger, model: "gpt-4o")).Select(r => r.CostUsd));
        Assert.Equal([4m], (await RowsAsync(ledger, model: "anthropic/claude")).Select(r => r.CostUsd));
        Assert.Equal([4m], (await RowsAsync(ledger, provider: "anthropic")).Select(r => r.CostUsd));
        Assert.Equal([2m, 8m], (await RowsAsync(ledger, from: "2026-12-07")).Select(r => r.CostUsd));
        Assert.Equal([1m, 4m, 2m], (await RowsAsync(ledger, to: "2026-12-07")).Select(r => r.CostUsd));
        Assert.Equal([2m], (await RowsAsync(ledger, from: "2026-12-07", to: "2026-12-07")).Select(r => r.CostUsd));
        Assert.Empty(await RowsAsync(ledger, keyId: "nobody"));
    }

    [Fact]
    public async Task Grouped_rows_sum_and_leave_the_other_dimensions_null()
    {
        using var ledger = Ledger();
        ledger.Record(Entry("k1", 1m));
        ledger.Record(Entry("k1", 2m, at: Monday, model: "gpt-4o-mini"));
        ledger.Record(Entry("k2", 4m, provider: "anthropic", model: "claude"));
        ledger.Record(Entry("k2", 8m, at: Monday));

        var byKey = await RowsAsync(ledger, groupBy: "key");
        Assert.Equal([("k1", "k1-name", 3m, 2L), ("k2", "k2-name", 12m, 2L)], byKey.Select(r => (r.KeyId!, r.KeyName!, r.CostUsd, r.Requests)));
        Assert.All(byKey, r => Assert.Equal((null, null, null), (r.Provider, r.Model, r.Day)));

        var byModel = await RowsAsync(ledger, groupBy: "provider, model");
        Assert.Equal([("anthropic", "claude", 4m), ("openai", "gpt-4o", 9m), ("openai", "gpt-4o-mini", 2m)],
            byModel.Select(r => (r.Provider!, r.Model!, r.CostUsd)));
        Assert.All(byModel, r => Assert.Equal((null, null, null), (r.KeyId, r.KeyName, r.Day)));

        var byDay = await RowsAsync(ledger, groupBy: "day");
        Assert.Equal([(new DateOnly(2026, 12, 6), 5m), (new DateOnly(2026, 12, 7), 10m)], byDay.Select(r => (r.Day!.Value, r.CostUsd)));

        var query = SpendQuery.Parse(null, null, null, null, null, "key,day");
        var list = query.Answer(await ledger.ReadAsync(null, null, CancellationToken.None));
        Assert.Equal(4, list.Data.Count);
        Assert.Equal(15m, list.TotalCostUsd);
    }

    [Theory]
    [InlineData("bogus", "group_by")]
    [InlineData("key,days", "group_by")]
    [InlineData(null, "from", "2026-13-01")]
    [InlineData(null, "to", null, "yesterday")]
    [InlineData(null, "to", "2026-12-07", "2026-12-06")]
    public void A_query_value_it_cannot_use_is_a_400_naming_it(string? groupBy, string param, string? from = null, string? to = null)
    {
        var e = Assert.Throws<GatewayException>(() => SpendQuery.Parse(null, null, null, from, to, groupBy));

        Assert.Equal((400, "invalid_request_error", param), (e.Status, e.Type, e.Param));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_budget_period_starts_empty_at_its_UTC_boundary(bool flushed)
    {
        var time = new ManualTime(Sunday); // Sunday 6 December: the last day of ISO week 49
        using var ledger = Ledger(time: time);
        var (daily, weekly, monthly, total) = (Key("k", "daily"), Key("k", "weekly"), Key("k", "monthly"), Key("k", "total"));
        decimal[] Spent() => [ledger.SpentInPeriod(daily), ledger.SpentInPeriod(weekly), ledger.SpentInPeriod(monthly), ledger.SpentInPeriod(total)];
        async Task FlushAsync()
        {
            if (flushed)
            {
                Assert.True(await ledger.FlushAsync());
            }
        }

        ledger.Record(Entry("k", 1m, at: time.Now));
        await FlushAsync();
        Assert.Equal([1m, 1m, 1m, 1m], Spent());

        time.Now = new DateTimeOffset(2026, 12, 7, 0, 0, 1, TimeSpan.Zero); // Monday: a new day and a new week
        Assert.Equal([0m, 0m, 1m, 1m], Spent());

        ledger.Record(Entry("k", 2m, at: time.Now));
        await FlushAsync();
        Assert.Equal([2m, 2m, 3m, 3m], Spent());

        time.Now = new DateTimeOffset(2026, 12, 9, 12, 0, 0, TimeSpan.Zero); // Wednesday, same week
        Assert.Equal([0m, 2m, 3m, 3m], Spent());

        time.Now = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero); // a new month (and year)
        Assert.Equal([0m, 0m, 0m, 3m], Spent());
    }

    [Fact]
    public void A_key_without_a_period_or_with_an_unknown_one_counts_all_time()
    {
        using var ledger = Ledger();
        ledger.Record(Entry("k", 1m, at: Sunday.AddYears(-1)));
        ledger.Record(Entry("k", 2m));

        Assert.Equal(3m, ledger.SpentInPeriod(Key("k")));
        Assert.Equal(3m, ledger.SpentInPeriod(Key("k", "TOTAL")));
        Assert.Equal(2m, ledger.SpentInPeriod(Key("k", "Daily")));
        Assert.Equal(0m, ledger.SpentInPeriod(Key("someone-else", "daily")));
    }

    [Fact]
    public async Task Only_keys_whose_budget_is_checked_have_their_totals_read_back_and_the_others_keep_their_figure()
    {
        var store = new ReadBackRecorder(Local());
        using var ledger = Ledger(store);
        ledger.Record(Entry("budgeted", 1m));
        ledger.Record(Entry("server", 2m));
        Assert.Equal(1m, ledger.SpentInPeriod(Key("budgeted")));

        Assert.True(await ledger.FlushAsync());
        Assert.Equal(["budgeted"], store.ReadBack.Distinct());

        // Sent but never read back: still counted, and once, when its budget is first checked; read back from then on.
        ledger.Record(Entry("server", 4m));
        Assert.Equal(6m, ledger.SpentInPeriod(Key("server")));
        Assert.True(await ledger.FlushAsync());
        Assert.Contains("server", store.ReadBack);
        Assert.Equal(6m, ledger.SpentInPeriod(Key("server")));
    }

    [Fact]
    public async Task Reading_a_keys_spend_allocates_nothing()
    {
        using var ledger = Ledger();
        var key = Key("k", "weekly");
        ledger.Record(Entry("k", 1m));
        Assert.True(await ledger.FlushAsync());
        ledger.Record(Entry("k", 2m));
        var spent = ledger.SpentInPeriod(key); // first sight and first call done

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            spent = ledger.SpentInPeriod(key);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3m, spent);
    }

    [Fact]
    public void Spend_counts_cost_tokens_and_requests_by_key_provider_and_model()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var collector = new MeterCollector(meters, GatewayTelemetry.Name);
        using var ledger = Ledger(metrics: new SpendMetrics(meters));

        ledger.Record(Entry("k1", 0.5m, input: 100, output: 20));
        ledger.Record(Entry("k1", 0m, input: 100, output: 20, cacheHit: true));

        var cost = collector.Of(SpendMetrics.CostInstrument);
        Assert.Equal([0.5, 0], cost.Select(m => m.Value));
        Assert.All(cost, m => Assert.Equal(("k1", "openai", "gpt-4o"),
            ((string?)m[SpendMetrics.KeyTag], (string?)m[GenAiConventions.ProviderName], (string?)m[GenAiConventions.RequestModel])));
        Assert.Equal([("input", 100.0), ("output", 20.0), ("input", 100.0), ("output", 20.0)],
            collector.Of(SpendMetrics.TokensInstrument).Select(m => ((string)m[GenAiConventions.TokenType]!, m.Value)));
        Assert.Equal(["miss", "hit"], collector.Of(SpendMetrics.RequestsInstrument).Select(m => (string)m[SpendMetrics.CacheTag]!));
    }

    /// <summary>The local store, recording whose totals the ledger asks for.</summary>
    private sealed class ReadBackRecorder(ISpendStore inner) : ISpendStore
    {
        public List<string> ReadBack { get; } = [];

        public Task<Dictionary<string, PeriodTotals>> ApplyAsync(SpendBatch? batch, IReadOnlyCollection<string> keyIds, DateOnly today,
            CancellationToken cancellationToken)
        {
            ReadBack.AddRange(keyIds);
            return inner.ApplyAsync(batch, keyIds, today, cancellationToken);
        }

        public PeriodTotals? Peek(string keyId, DateOnly today) => inner.Peek(keyId, today);

        public Task<IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>>> ReadAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken) =>
            inner.ReadAsync(from, to, cancellationToken);

        public Task PersistAsync(CancellationToken cancellationToken) => inner.PersistAsync(cancellationToken);
    }
}
