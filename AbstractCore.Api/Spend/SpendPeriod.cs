namespace AbstractCore.Api.Spend;

/// <summary>A key's budget period, in UTC: a day, an ISO week (from Monday), a calendar month, or all time.</summary>
internal enum SpendPeriod
{
    Total,
    Daily,
    Weekly,
    Monthly,
}

internal static class SpendPeriods
{
    /// <summary><c>daily</c>, <c>weekly</c>, <c>monthly</c>; anything else (<c>total</c>, none) is all time.</summary>
    public static SpendPeriod Parse(string? text) =>
        string.Equals(text, Keys.BudgetPeriods.Daily, StringComparison.OrdinalIgnoreCase) ? SpendPeriod.Daily
        : string.Equals(text, Keys.BudgetPeriods.Weekly, StringComparison.OrdinalIgnoreCase) ? SpendPeriod.Weekly
        : string.Equals(text, Keys.BudgetPeriods.Monthly, StringComparison.OrdinalIgnoreCase) ? SpendPeriod.Monthly
        : SpendPeriod.Total;

    /// <summary>The first day of the period that holds <paramref name="day"/>.</summary>
    public static DateOnly Start(SpendPeriod period, DateOnly day) => period switch
    {
        SpendPeriod.Daily => day,
        SpendPeriod.Weekly => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), // ISO 8601: weeks start on Monday
        SpendPeriod.Monthly => new DateOnly(day.Year, day.Month, 1),
        _ => DateOnly.MinValue,
    };
}
