using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AbstractCore.Jobs;

namespace AbstractCore.Media;

/// <summary>Source-generated JSON for media calls, answers and job records (stores and the bus).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MediaCall))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JobProgress))]
public sealed partial class MediaJsonContext : JsonSerializerContext;
