using System.Runtime.InteropServices;

namespace AbstractCore.Api.Spend;

/// <summary>
/// One key's spend as this replica knows it: the store's period totals as last read, plus what this replica recorded
/// that is not in them yet, by UTC day (one day as a rule; more across midnight or while the store is away). Both
/// change under one lock, so a read never sees a batch both in the totals and still unsent.
/// </summary>
internal sealed class KeySpend(PeriodTotals stored)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<DateOnly, long> _unsent = [];

    /// <summary>Sent, but not in <see cref="_stored"/> yet: the totals were not read back after it (no budget then).</summary>
    private readonly Dictionary<DateOnly, long> _unread = [];
    private PeriodTotals _stored = stored;

    /// <summary>The key's budget was checked here: only then are its shared totals worth reading back at each flush.</summary>
    public bool Budgeted { get; private set; }

    public void Add(DateOnly day, long nanos)
    {
        if (nanos == 0)
        {
            return;
        }

        lock (_lock)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_unsent, day, out _) += nanos;
        }
    }

    /// <summary>A batch reached the store: what it carried for this key (<paramref name="sent"/>) is in <paramref name="stored"/>
    /// now (null: the totals were not read back, the key has no budget to check them against).</summary>
    public void Stored(PeriodTotals? stored, List<(DateOnly Day, long Nanos)>? sent)
    {
        lock (_lock)
        {
            foreach (var (day, nanos) in sent ?? [])
            {
                if (_unsent.TryGetValue(day, out var left) && left == nanos)
                {
                    _unsent.Remove(day);
                }
                else if (left != 0)
                {
                    _unsent[day] = left - nanos;
                }

                if (stored is null)
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(_unread, day, out _) += nanos;
                }
            }

            if (stored is { } totals)
            {
                _stored = totals;
                _unread.Clear();
            }
        }
    }

    /// <summary>Nano-dollars spent in the period that holds <paramref name="today"/>.</summary>
    public long Spent(SpendPeriod period, DateOnly today)
    {
        if (!Budgeted)
        {
            Budgeted = true;
        }

        lock (_lock)
        {
            var spent = _stored.In(period, today);
            var start = SpendPeriods.Start(period, today);
            foreach (var (day, nanos) in _unsent)
            {
                spent += day >= start ? nanos : 0;
            }

            foreach (var (day, nanos) in _unread)
            {
                spent += day >= start ? nanos : 0;
            }

            return spent;
        }
    }
}
