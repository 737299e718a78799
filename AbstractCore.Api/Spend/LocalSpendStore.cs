namespace AbstractCore.Api.Spend;

/// <summary>
/// The ledger of a gateway without Redis: the rows in memory, written to <c>spend.json</c> (when it has a path) by
/// <see cref="PersistAsync"/> and read back when the gateway starts, so a restart loses nothing that was written. One
/// process per file: two gateways sharing a home would overwrite each other's spend.
/// </summary>
internal sealed partial class LocalSpendStore : ISpendStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SpendRowKey, SpendCounts> _rows = [];

    /// <summary>Per key, its cost by day: what its budget periods sum.</summary>
    private readonly Dictionary<string, Dictionary<DateOnly, long>> _costs = new(StringComparer.Ordinal);

    /// <summary>Per replica, the last batch applied (one replica here, but the same rule as in Redis).</summary>
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);

    /// <summary>Per key, its latest name: a rename shows on all its rows, as in Redis.</summary>
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    private readonly ILogger _logger;
    private string? _path;
    private bool _changed;
    private bool _failing;

    public LocalSpendStore(string? path, ILogger<LocalSpendStore> logger)
    {
        _logger = logger;
        _path = path;
        if (path is not null)
        {
            Load(path);
        }
    }

    /// <summary>The file, or null when spend is kept in memory only.</summary>
    public string? Path => _path;

    public Task<Dictionary<string, PeriodTotals>> ApplyAsync(SpendBatch? batch, IReadOnlyCollection<string> keyIds, DateOnly today,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (batch is not null && batch.Sequence > _applied.GetValueOrDefault(batch.Replica))
            {
                _applied[batch.Replica] = batch.Sequence;
                foreach (var (key, counts) in batch.Rows)
                {
                    Add(key, counts);
                }

                _changed = true;
            }

            var totals = new Dictionary<string, PeriodTotals>(keyIds.Count, StringComparer.Ordinal);
            foreach (var id in keyIds)
            {
                totals[id] = Totals(id, today);
            }

            return Task.FromResult(totals);
        }
    }

    public PeriodTotals? Peek(string keyId, DateOnly today)
    {
        lock (_lock)
        {
            return Totals(keyId, today);
        }
    }

    public Task<IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>>> ReadAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<KeyValuePair<SpendRowKey, SpendCounts>> rows =
            [
                .. _rows
                    .Where(r => (from is null || r.Key.Day >= from) && (to is null || r.Key.Day <= to))
                    .Select(r => KeyValuePair.Create(r.Key, Named(r.Key, r.Value))),
            ];
            return Task.FromResult(rows);
        }
    }

    public Task PersistAsync(CancellationToken cancellationToken)
    {
        SpendFileContent content;
        lock (_lock)
        {
            if (_path is null || !_changed)
            {
                return Task.CompletedTask;
            }

            content = new SpendFileContent([.. _rows.Select(r => SpendRow.Of(r.Key.KeyId, r.Key.Provider, r.Key.Model, r.Key.Day, Named(r.Key, r.Value)))]);
            _changed = false;
        }

        try
        {
            SpendFile.Write(_path, content);
            if (_failing)
            {
                _failing = false;
                LogWritten(_logger, _path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_lock)
            {
                _changed = true; // written at the next try
            }

            if (!_failing)
            {
                _failing = true;
                LogNotWritten(_logger, _path, e.Message);
            }
        }

        return Task.CompletedTask;
    }

    private void Load(string path)
    {
        try
        {
            foreach (var row in SpendFile.Read(path, _logger)?.Rows ?? [])
            {
                if (row is { KeyId: { } keyId, Provider: { } provider, Model: { } model, Day: { } day })
                {
                    Add(new SpendRowKey(keyId, provider, model, day), row.ToCounts());
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Writing over a file that could not be read would lose what it holds.
            _path = null;
            LogNotRead(_logger, path, e.Message);
        }
    }

    private void Add(SpendRowKey key, SpendCounts counts)
    {
        if (!_rows.TryGetValue(key, out var row))
        {
            _rows[key] = row = new SpendCounts();
        }

        row.Add(counts);
        if (!_costs.TryGetValue(key.KeyId, out var days))
        {
            _costs[key.KeyId] = days = [];
        }

        days[key.Day] = days.GetValueOrDefault(key.Day) + counts.CostNanos;
        if (counts.KeyName is { } name)
        {
            _names[key.KeyId] = name;
        }
    }

    private PeriodTotals Totals(string keyId, DateOnly today)
    {
        var (day, week, month, total) = (0L, 0L, 0L, 0L);
        var monday = SpendPeriods.Start(SpendPeriod.Weekly, today);
        foreach (var (d, nanos) in _costs.GetValueOrDefault(keyId) ?? [])
        {
            total += nanos;
            day += d == today ? nanos : 0;
            week += d >= monday && d < monday.AddDays(7) ? nanos : 0;
            month += d.Year == today.Year && d.Month == today.Month ? nanos : 0;
        }

        return new PeriodTotals(today, day, week, month, total);
    }

    /// <summary>A copy of a row's counts with its key's latest name.</summary>
    private SpendCounts Named(SpendRowKey key, SpendCounts counts)
    {
        var copy = new SpendCounts();
        copy.Add(counts);
        copy.KeyName = _names.GetValueOrDefault(key.KeyId);
        return copy;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend: could not write {Path} ({Reason}); spend is kept in memory and written at the next try")]
    private static partial void LogNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spend: {Path} is written again")]
    private static partial void LogWritten(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend: could not read {Path} ({Reason}); spend is kept in memory only until the gateway restarts")]
    private static partial void LogNotRead(ILogger logger, string path, string reason);
}
