namespace AbstractCore.Spend;

/// <summary>A request's usage with its cost in USD, or <see cref="Priced"/> false when the price table has no entry for the model.</summary>
public readonly record struct PricedUsage(Usage Usage, decimal CostUsd, bool Priced);
