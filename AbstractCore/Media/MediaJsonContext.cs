using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AbstractCore.Media;

/// <summary>Source-generated JSON for media answers.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class MediaJsonContext : JsonSerializerContext;
