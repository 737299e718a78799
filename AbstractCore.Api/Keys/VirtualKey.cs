using System.Text.Json.Serialization;

namespace AbstractCore.Api.Keys;

/// <summary>
/// A virtual key: what one app or person may call, how fast and for how much. The secret itself (<c>ack-…</c>) is shown
/// once, when it is made; only its SHA-256 (<see cref="Hash"/>) is stored. Every limit is optional: null means none.
/// </summary>
internal sealed record VirtualKey
{
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("owner")] public string? Owner { get; init; }

    /// <summary>Globs over <c>provider/model</c> or alias names (<c>openai/*</c>, <c>fast</c>); null or empty: every model.</summary>
    [JsonPropertyName("models")] public string[]? Models { get; init; }

    /// <summary>Globs over route templates (<c>/v1/chat/completions</c>, <c>/v1/*</c>); null or empty: every route.</summary>
    [JsonPropertyName("routes")] public string[]? Routes { get; init; }

    [JsonPropertyName("rpm")] public int? Rpm { get; init; }

    [JsonPropertyName("tpm")] public long? Tpm { get; init; }

    [JsonPropertyName("max_parallel")] public int? MaxParallel { get; init; }

    [JsonPropertyName("budget_usd")] public decimal? BudgetUsd { get; init; }

    /// <summary><c>daily</c>, <c>weekly</c>, <c>monthly</c> or <c>total</c> (the default), in UTC.</summary>
    [JsonPropertyName("budget_period")] public string? BudgetPeriod { get; init; }

    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary><c>admin</c>: may manage keys and read every key's spend.</summary>
    [JsonPropertyName("scopes")] public string[]? Scopes { get; init; }

    /// <summary>The exact response cache for every request of this key, unless a request says otherwise.</summary>
    [JsonPropertyName("cache")] public KeyCache? Cache { get; init; }

    [JsonPropertyName("disabled")] public bool Disabled { get; init; }

    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The key's last four characters, so a person can tell keys apart (<c>ack-…7f3a</c>).</summary>
    [JsonPropertyName("hint")] public string? Hint { get; init; }

    /// <summary>Lower-case hex SHA-256 of the secret; never shown.</summary>
    [JsonPropertyName("hash")] public string Hash { get; init; } = "";

    public bool IsAdmin => Scopes is { } scopes && Array.IndexOf(scopes, KeyScopes.Admin) >= 0;

    public bool HasLimits => Rpm is not null || Tpm is not null || MaxParallel is not null;
}

internal sealed record KeyCache([property: JsonPropertyName("ttl_s")] double TtlSeconds);

internal static class KeyScopes
{
    public const string Admin = "admin";
}
