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
    private PeriodTotals _stored = stored;

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

    /// <summary>A batch reached the store: what it carried for this key (<paramref name="sent"/>) is in <paramref name="stored"/> now.</summary>
    public void Stored(PeriodTotals stored, List<(DateOnly Day, long Nanos)>? sent)
    {
        lock (_lock)
        {
            foreach (var (day, nanos) in sent ?? [])
            {
                if (!_unsent.TryGetValue(day, out var left))
                {
                    continue;
                }

                if (left == nanos)
                {
                    _unsent.Remove(day);
                }
                else
                {
                    _unsent[day] = left - nanos;
                }
            }

            _stored = stored;
        }
    }

    /// <summary>Nano-dollars spent in the period that holds <paramref name="today"/>.</summary>
    public long Spent(SpendPeriod period, DateOnly today)
    {
        lock (_lock)
        {
            var spent = _stored.In(period, today);
            var start = SpendPeriods.Start(period, today);
            foreach (var (day, nanos) in _unsent)
            {
                spent += day >= start ? nanos : 0;
            }

            return spent;
        }
    }
}
