using System.Collections.Concurrent;
using AbstractCore.Api.Keys;
using StackExchange.Redis;

namespace AbstractCore.Api.Spend;

/// <summary>
/// What every key spent. <see cref="Record"/> and <see cref="SpentInPeriod"/> are on the request path and touch memory
/// only: an entry goes on a queue and onto its key's running figure. <see cref="FlushAsync"/> (every second, from
/// <see cref="SpendFlusher"/>) sums the queue into rows, sends them to the store in batches and reads back the period
/// totals of every key whose budget this replica checks, so its figure is every replica's spend as of the last flush
/// plus what this one recorded since. A batch that fails stays pending, unchanged, and is sent again until the store answers it.
/// </summary>
internal sealed partial class SpendLedger : IDisposable
{
    /// <summary>Rows per batch: a script's arguments stay small, and a long outage's backlog goes out in several.</summary>
    internal const int MaxBatchRows = 200;

    private readonly ISpendStore _store;
    private readonly TimeProvider _time;
    private readonly SpendMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<SpendEntry> _entries = new();
    private readonly ConcurrentDictionary<string, KeySpend> _keys = new(StringComparer.Ordinal);
    private readonly Func<string, KeySpend> _newKey;
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Entries taken off the queue, summed by row, not in a batch yet (the flush's own: under <see cref="_flushing"/>).</summary>
    private readonly Dictionary<SpendRowKey, SpendCounts> _pending = [];

    /// <summary>The batch sent and not answered yet: sent again as it is, never merged with newer rows.</summary>
    private SpendBatch? _unanswered;

    private long _sequence;
    private int _away;

    public SpendLedger(ISpendStore store, TimeProvider time, SpendMetrics? metrics, ILogger<SpendLedger> logger)
    {
        (_store, _time, _metrics, _logger) = (store, time, metrics, logger);
        _newKey = id => new KeySpend(_store.Peek(id, Today()) ?? default);
    }

    /// <summary>This process's id in the store's record of applied batches.</summary>
    private volatile bool _disposed;

    public string Replica { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Counts one request's priced usage of one model; cheap, in memory, and never fails for the store.</summary>
    public void Record(SpendEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // The key's figure first: a flush that takes the entry off the queue then finds it there to subtract.
        _keys.GetOrAdd(entry.KeyId, _newKey).Add(SpendRowKey.Of(entry).Day, SpendCounts.ToNanos(entry.Priced.CostUsd));
        _entries.Enqueue(entry);
        _metrics?.Record(entry);
    }

    /// <summary>What <paramref name="key"/> spent in its current budget period (UTC), every replica's spend as of the
    /// last flush plus this replica's since. A key seen here for the first time reads 0 from a shared store until the
    /// next flush, about a second.</summary>
    public decimal SpentInPeriod(VirtualKey key) => SpendCounts.ToUsd(
        _keys.GetOrAdd(key.Id, _newKey).Spent(SpendPeriods.Parse(key.BudgetPeriod), Today()));

    /// <summary>
    /// Sends what was recorded to the store, one batch after another, and reads back the shared period totals. False
    /// when the store did not answer: everything stays pending for the next flush.
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            return false; // a host stopped a second time, after its services went
        }

        await _flushing.WaitAsync(cancellationToken);
        try
        {
            while (_entries.TryDequeue(out var entry))
            {
                var row = SpendRowKey.Of(entry);
                if (!_pending.TryGetValue(row, out var counts))
                {
                    _pending[row] = counts = new SpendCounts();
                }

                counts.Add(entry);
            }

            HashSet<string> read = new(StringComparer.Ordinal);
            do
            {
                var batch = _unanswered ??= NextBatch();

                // Each batch reads back the totals of the budgeted keys it carried; the last, those of every other budgeted key.
                var keys = BudgetedKeys(batch, last: _pending.Count == 0, read);
                if (batch is null && keys.Length == 0)
                {
                    return true;
                }

                var today = Today();
                Dictionary<string, PeriodTotals> totals;
                try
                {
                    totals = await _store.ApplyAsync(batch, keys, today, cancellationToken);
                }
                catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
                {
                    Away(batch is null ? "read of the shared budgets" : "write of a spend batch", e);
                    return false;
                }

                _unanswered = null;
                read.UnionWith(keys);
                Stored(batch, totals);
                Answered();
            }
            while (_pending.Count > 0);

            return true;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>The rows of the UTC days <paramref name="from"/>..<paramref name="to"/>, this replica's recent spend
    /// included: it is flushed first (if the store is away, reading it fails too).</summary>
    public async Task<IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>>> ReadAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await _store.ReadAsync(from, to, cancellationToken);
    }

    /// <summary>Writes the local store's file (nothing to do with Redis).</summary>
    public Task PersistAsync(CancellationToken cancellationToken) => _store.PersistAsync(cancellationToken);

    /// <summary>Ends flushing. The semaphore itself is left to the collector (it holds no handle unless asked for one):
    /// a last flush still waiting on a dead Redis when the host gives up must be able to release it.</summary>
    public void Dispose() => _disposed = true;

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private SpendBatch? NextBatch()
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        var rows = _pending.Take(MaxBatchRows).ToList();
        foreach (var (key, _) in rows)
        {
            _pending.Remove(key);
        }

        return new SpendBatch(Replica, ++_sequence, rows);
    }

    /// <summary>The ids of the budgeted keys <paramref name="batch"/> carried (their totals changed), and for the
    /// <paramref name="last"/> batch of a flush those of every budgeted key not <paramref name="read"/> yet.</summary>
    private string[] BudgetedKeys(SpendBatch? batch, bool last, HashSet<string> read)
    {
        var ids = batch?.Rows.Select(r => r.Key.KeyId) ?? [];
        if (last)
        {
            ids = ids.Concat(_keys.Keys.Where(id => !read.Contains(id)));
        }

        return [.. ids.Distinct().Where(id => _keys.TryGetValue(id, out var key) && key.Budgeted)];
    }

    /// <summary>The batch is in the store: each key's figure drops what the batch carried and takes the store's totals,
    /// when they were read.</summary>
    private void Stored(SpendBatch? batch, Dictionary<string, PeriodTotals> totals)
    {
        var sent = new Dictionary<string, List<(DateOnly, long)>>(StringComparer.Ordinal);
        foreach (var (row, counts) in batch?.Rows ?? [])
        {
            if (!sent.TryGetValue(row.KeyId, out var days))
            {
                sent[row.KeyId] = days = [];
            }

            days.Add((row.Day, counts.CostNanos));
        }

        foreach (var id in sent.Keys.Union(totals.Keys))
        {
            if (_keys.TryGetValue(id, out var key))
            {
                key.Stored(totals.TryGetValue(id, out var stored) ? stored : null, sent.GetValueOrDefault(id));
            }
        }
    }

    private void Away(string what, Exception e)
    {
        if (Interlocked.Exchange(ref _away, 1) == 0)
        {
            LogAway(_logger, what, e.GetType().Name, AbstractCore.Storage.StoreUnavailable.Describe(e));
        }
    }

    private void Answered()
    {
        if (Interlocked.Exchange(ref _away, 0) == 1)
        {
            LogBack(_logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend: Redis did not answer the {What} ({Error}: {Reason}); spend is kept in " +
        "memory, budgets go on from this replica's own figures, and everything is written to Redis when it answers again")]
    private static partial void LogAway(ILogger logger, string what, string error, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spend: Redis answers again; the spend kept in memory is written to it")]
    private static partial void LogBack(ILogger logger);
}
