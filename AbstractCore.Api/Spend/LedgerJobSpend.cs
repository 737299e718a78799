using AbstractCore.Spend;

namespace AbstractCore.Api.Spend;

/// <summary>A finished job's usage, priced and booked to the key that submitted it (the poll that saw it succeed charges it once).</summary>
internal sealed class LedgerJobSpend(SpendLedger ledger, PriceTable prices, TimeProvider time) : IJobSpend
{
    public void JobCompleted(string? keyId, string provider, string model, Usage usage) =>
        ledger.Record(new SpendEntry(keyId ?? SpendEntry.ServerKeyId, null, provider, model, prices.Price(provider, model, null, usage), false, time.GetUtcNow()));
}
