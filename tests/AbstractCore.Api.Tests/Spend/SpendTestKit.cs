using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;
using AbstractCore.Api.Tests.Auth;
using AbstractCore.Spend;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AbstractCore.Api.Tests.Spend;

/// <summary>A clock the test moves.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Ledgers over a store of the test's choice, and entries and keys to record.</summary>
internal static class SpendTestKit
{
    public static readonly DateTimeOffset Sunday = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    public static SpendLedger Ledger(ISpendStore? store = null, TimeProvider? time = null, CapturingLoggerProvider? logs = null, SpendMetrics? metrics = null)
    {
        ILoggerFactory factory = logs is null ? NullLoggerFactory.Instance : LoggerFactory.Create(b => b.AddProvider(logs));
        return new SpendLedger(store ?? Local(), time ?? new ManualTime(Sunday), metrics, factory.CreateLogger<SpendLedger>());
    }

    public static LocalSpendStore Local(string? path = null) => new(path, NullLogger<LocalSpendStore>.Instance);

    public static SpendEntry Entry(string keyId, decimal cost, DateTimeOffset? at = null, string provider = "openai", string model = "gpt-4o",
        long input = 10, long output = 5, bool priced = true, bool cacheHit = false, bool estimated = false, string? keyName = null) =>
        new(keyId, keyName ?? keyId + "-name", provider, model,
            new PricedUsage(new Usage { InputTokens = input, OutputTokens = output, Estimated = estimated }, cost, priced),
            cacheHit, at ?? Sunday);

    public static VirtualKey Key(string id, string? period = null, bool admin = false) => new()
    {
        Id = id,
        Name = id + "-name",
        BudgetUsd = 100,
        BudgetPeriod = period,
        Scopes = admin ? [KeyScopes.Admin] : null,
    };

    /// <summary>A key id no other test uses (tests share a Redis).</summary>
    public static string NewKeyId() => "key_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The ledger's rows as the default query answers them (grouped by key, model, provider and day).</summary>
    public static async Task<List<SpendRow>> RowsAsync(SpendLedger ledger, string? keyId = null, string? groupBy = null,
        string? model = null, string? provider = null, string? from = null, string? to = null)
    {
        var query = SpendQuery.Parse(keyId, model, provider, from, to, groupBy);
        return query.Answer(await ledger.ReadAsync(query.From, query.To, CancellationToken.None)).Data;
    }
}
