namespace AbstractCore.Api.Keys;

/// <summary>A budget's period, in UTC: it starts again each day, ISO week (Monday), calendar month, or never.</summary>
internal static class BudgetPeriods
{
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Total = "total";

    public static readonly string[] All = [Daily, Weekly, Monthly, Total];

    /// <summary>When the period that holds <paramref name="now"/> began (<see cref="DateTimeOffset.MinValue"/> for total).</summary>
    public static DateTimeOffset Start(string? period, DateTimeOffset now)
    {
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return period switch
        {
            Daily => day,
            Weekly => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            Monthly => new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero),
            _ => DateTimeOffset.MinValue,
        };
    }
}
