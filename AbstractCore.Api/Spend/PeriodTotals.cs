namespace AbstractCore.Api.Spend;

/// <summary>A key's spend in nano-dollars in the day, week, month that held <see cref="AsOf"/>, and in all time, as the
/// store holds them.</summary>
internal readonly record struct PeriodTotals(DateOnly AsOf, long Day, long Week, long Month, long Total)
{
    /// <summary>The period of <paramref name="today"/>: its total if these totals are of that period still, else 0 (the
    /// period changed since they were read, and a new one starts empty).</summary>
    public long In(SpendPeriod period, DateOnly today)
    {
        if (period == SpendPeriod.Total)
        {
            return Total;
        }

        if (SpendPeriods.Start(period, AsOf) != SpendPeriods.Start(period, today))
        {
            return 0;
        }

        return period switch
        {
            SpendPeriod.Daily => Day,
            SpendPeriod.Weekly => Week,
            _ => Month,
        };
    }
}
