namespace AbstractCore.Api.Keys;

/// <summary>A key's <c>budget_period</c> as written; the ledger's <see cref="Spend.SpendPeriods"/> says when each starts.</summary>
internal static class BudgetPeriods
{
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Total = "total";

    public static readonly string[] All = [Daily, Weekly, Monthly, Total];
}
