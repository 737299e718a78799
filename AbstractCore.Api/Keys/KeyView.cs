using System.Text.Json.Serialization;

namespace AbstractCore.Api.Keys;

/// <summary>A key as the API shows it: everything but its hash. The secret itself only in <see cref="KeyCreated"/>.</summary>
internal record KeyView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("hint")] string? Hint,
    [property: JsonPropertyName("models")] string[]? Models,
    [property: JsonPropertyName("routes")] string[]? Routes,
    [property: JsonPropertyName("rpm")] int? Rpm,
    [property: JsonPropertyName("tpm")] long? Tpm,
    [property: JsonPropertyName("max_parallel")] int? MaxParallel,
    [property: JsonPropertyName("budget_usd")] decimal? BudgetUsd,
    [property: JsonPropertyName("budget_period")] string BudgetPeriod,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("scopes")] string[] Scopes,
    [property: JsonPropertyName("cache")] KeyCache? Cache,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("created_at")] long CreatedAt)
{
    [JsonPropertyName("object")] public string Object { get; } = "virtual_key";

    public static KeyView Of(VirtualKey k) => new(
        k.Id, k.Name, k.Owner, k.Hint, k.Models, k.Routes, k.Rpm, k.Tpm, k.MaxParallel, k.BudgetUsd,
        k.BudgetPeriod ?? BudgetPeriods.Total, k.ExpiresAt, k.Scopes ?? [], k.Cache, k.Disabled, k.CreatedAt.ToUnixTimeSeconds());
}

/// <summary>The creation answer: the only time the secret is shown.</summary>
internal sealed record KeyCreated : KeyView
{
    public KeyCreated(KeyView view, string key)
        : base(view) => Key = key;

    [JsonPropertyName("key")] public string Key { get; }
}

internal sealed record KeyList([property: JsonPropertyName("data")] List<KeyView> Data)
{
    [JsonPropertyName("object")] public string Object { get; } = "list";
}

internal sealed record KeyDeleted([property: JsonPropertyName("id")] string Id)
{
    [JsonPropertyName("object")] public string Object { get; } = "virtual_key.deleted";

    [JsonPropertyName("deleted")] public bool Deleted { get; } = true;
}
