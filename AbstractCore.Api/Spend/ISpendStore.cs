namespace AbstractCore.Api.Spend;

/// <summary>Where the ledger's rows and the keys' period totals live: Redis (shared by the replicas) or this process
/// (kept in a file).</summary>
internal interface ISpendStore
{
    /// <summary>Applies <paramref name="batch"/> (null: none) unless it was applied before, then reads the period
    /// totals of <paramref name="keyIds"/> as of <paramref name="today"/>, every replica's spend in them.</summary>
    Task<Dictionary<string, PeriodTotals>> ApplyAsync(SpendBatch? batch, IReadOnlyCollection<string> keyIds, DateOnly today,
        CancellationToken cancellationToken);

    /// <summary>A key's period totals when the store knows them without I/O (the local store); else null.</summary>
    PeriodTotals? Peek(string keyId, DateOnly today);

    /// <summary>The rows of the UTC days from <paramref name="from"/> to <paramref name="to"/> (inclusive; null: unbounded).</summary>
    Task<IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>>> ReadAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken);

    /// <summary>Writes what changed to durable storage, where the store keeps it itself (the local store's file).</summary>
    Task PersistAsync(CancellationToken cancellationToken);
}
