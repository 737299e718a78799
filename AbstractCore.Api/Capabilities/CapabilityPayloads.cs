using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AbstractCore.Api.Capabilities;

/// <summary><c>GET|PUT|DELETE /v1/config/capability-defaults</c>: the original's payload.</summary>
internal sealed class CapabilityDefaultsPayload
{
    [JsonPropertyName("ok")] public bool Ok { get; init; } = true;
    [JsonPropertyName("version")] public int Version { get; init; } = 1;
    [JsonPropertyName("authority")] public string Authority { get; init; } = "abstractcore.server";
    [JsonPropertyName("writable")] public bool Writable { get; init; } = true;
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("config_file")] public string? ConfigFile { get; init; }
    [JsonPropertyName("routes")] public required IReadOnlyList<CapabilityRouteEntry> Routes { get; init; }
    [JsonPropertyName("errors")] public IReadOnlyList<string> Errors { get; init; } = [];
}

internal sealed class CapabilityRouteEntry
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("modality")] public required string Modality { get; init; }
    [JsonPropertyName("task")] public string? Task { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
    [JsonPropertyName("reasoning")] public JsonNode? Reasoning { get; init; }
    [JsonPropertyName("options")] public required JsonObject Options { get; init; }
    [JsonPropertyName("configured")] public bool Configured { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
}

/// <summary>The body the docs show for a PUT (the route reads it itself: omitted and null keep, "" clears).</summary>
internal sealed class CapabilityDefaultBody
{
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
    [JsonPropertyName("reasoning")] public string? Reasoning { get; init; }
    [JsonPropertyName("options")] public JsonObject? Options { get; init; }
}

/// <summary>A catalog of providers and models for one capability (the audio, music, vision and capability routes).</summary>
internal sealed class CatalogPayload
{
    [JsonPropertyName("ok")] public bool Ok { get; init; } = true;
    [JsonPropertyName("operation")] public required string Operation { get; init; }
    [JsonPropertyName("capability")] public required string Capability { get; init; }
    [JsonPropertyName("task")] public string? Task { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("available")] public bool Available { get; init; }
    [JsonPropertyName("active_provider")] public string? ActiveProvider { get; init; }
    [JsonPropertyName("providers")] public required IReadOnlyList<string> Providers { get; init; }
    [JsonPropertyName("models")] public required IReadOnlyList<string> Models { get; init; }
    [JsonPropertyName("models_by_provider")] public required IReadOnlyDictionary<string, IReadOnlyList<string>> ModelsByProvider { get; init; }
    [JsonPropertyName("provider_models")] public required IReadOnlyList<ProviderModel> ProviderModels { get; init; }
    [JsonPropertyName("provider_details")] public required IReadOnlyList<ProviderDetail> ProviderDetails { get; init; }
    [JsonPropertyName("voices")] public IReadOnlyList<string>? Voices { get; init; }
    [JsonPropertyName("source")] public string Source { get; init; } = "abstractcore.gateway";
}

internal sealed record ProviderModel(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("task")] string Task);

internal sealed record ProviderDetail(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks,
    [property: JsonPropertyName("configure")] string Configure);

/// <summary><c>GET /v1/capabilities</c>.</summary>
internal sealed class CapabilitiesPayload
{
    [JsonPropertyName("ok")] public bool Ok { get; init; } = true;
    [JsonPropertyName("operation")] public string Operation { get; init; } = "capabilities";
    [JsonPropertyName("status")] public required IReadOnlyDictionary<string, bool> Status { get; init; }
    [JsonPropertyName("backends")] public required IReadOnlyList<CapabilityBackend> Backends { get; init; }
}

internal sealed record CapabilityBackend(
    [property: JsonPropertyName("capability")] string Capability,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("providers")] IReadOnlyList<string> Providers,
    [property: JsonPropertyName("routes")] IReadOnlyList<string> Routes,
    [property: JsonPropertyName("configure")] string Configure);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CapabilityDefaultsPayload))]
[JsonSerializable(typeof(CapabilityDefaultBody))]
[JsonSerializable(typeof(CatalogPayload))]
[JsonSerializable(typeof(CapabilitiesPayload))]
[JsonSerializable(typeof(Audio.SpeechBody))]
[JsonSerializable(typeof(Audio.MusicBody))]
internal sealed partial class CapabilitiesJsonContext : JsonSerializerContext;
