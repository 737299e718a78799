using System.Text.Json.Serialization;

namespace AbstractCore.Api.Spend;

/// <summary><c>GET /acore/spend</c>'s answer: the rows, grouped as asked, and their cost.</summary>
internal sealed record SpendList(
    [property: JsonPropertyName("data")] List<SpendRow> Data,
    [property: JsonPropertyName("total_cost_usd")] decimal TotalCostUsd)
{
    [JsonPropertyName("object")] public string Object { get; } = "list";
}

/// <summary>A ledger row, or the sum of the rows of a group; a dimension not grouped by is null. The spend file holds
/// the same rows, every dimension set.</summary>
internal sealed record SpendRow(
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("key_name")] string? KeyName,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("day")] DateOnly? Day,
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("cache_hits")] long CacheHits,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens,
    [property: JsonPropertyName("cached_input_tokens")] long CachedInputTokens,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("audio_seconds")] double AudioSeconds,
    [property: JsonPropertyName("cost_usd")] decimal CostUsd,
    [property: JsonPropertyName("unpriced_requests")] long UnpricedRequests,
    [property: JsonPropertyName("estimated_requests")] long EstimatedRequests)
{
    public static SpendRow Of(string? keyId, string? provider, string? model, DateOnly? day, SpendCounts c) => new(
        keyId, keyId is null ? null : c.KeyName, provider, model, day, c.Requests, c.CacheHits, c.InputTokens, c.OutputTokens,
        c.CachedInputTokens, c.Images, c.AudioMs / 1000.0, SpendCounts.ToUsd(c.CostNanos), c.UnpricedRequests, c.EstimatedRequests);

    public SpendCounts ToCounts() => new()
    {
        KeyName = KeyName,
        Requests = Requests,
        CacheHits = CacheHits,
        InputTokens = InputTokens,
        OutputTokens = OutputTokens,
        CachedInputTokens = CachedInputTokens,
        Images = Images,
        AudioMs = (long)Math.Round(AudioSeconds * 1000, MidpointRounding.AwayFromZero),
        CostNanos = SpendCounts.ToNanos(CostUsd),
        UnpricedRequests = UnpricedRequests,
        EstimatedRequests = EstimatedRequests,
    };
}

/// <summary>The standalone gateway's <c>spend.json</c>.</summary>
internal sealed record SpendFileContent([property: JsonPropertyName("rows")] List<SpendRow> Rows);

[JsonSerializable(typeof(SpendList))]
[JsonSerializable(typeof(SpendFileContent))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class SpendJsonContext : JsonSerializerContext;
