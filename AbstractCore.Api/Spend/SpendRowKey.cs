namespace AbstractCore.Api.Spend;

/// <summary>What a ledger row aggregates over: one key's use of one model on one UTC day.</summary>
internal readonly record struct SpendRowKey(string KeyId, string Provider, string Model, DateOnly Day)
{
    public static SpendRowKey Of(SpendEntry entry) =>
        new(entry.KeyId, entry.Provider, entry.Model, DateOnly.FromDateTime(entry.At.UtcDateTime));
}
