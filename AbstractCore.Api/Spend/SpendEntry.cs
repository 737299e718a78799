using AbstractCore.Spend;

namespace AbstractCore.Api.Spend;

/// <summary>One request's priced usage of one model, as the ledger records it.</summary>
/// <param name="KeyId">The virtual key's id, or <see cref="SpendEntry.ServerKeyId"/> for the server token.</param>
/// <param name="KeyName">The key's name as it is now; the ledger shows the latest one it saw.</param>
/// <param name="CacheHit">Answered from the exact response cache.</param>
/// <param name="At">When the request was made; its UTC day is the row (and budget period) it counts in.</param>
internal sealed record SpendEntry(
    string KeyId, string? KeyName, string Provider, string Model, PricedUsage Priced, bool CacheHit, DateTimeOffset At)
{
    public const string ServerKeyId = "server";
}
