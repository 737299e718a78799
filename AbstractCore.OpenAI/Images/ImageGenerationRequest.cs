using System.Text.Json;
using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Media;

namespace AbstractCore.OpenAI.Images;

/// <summary>A <c>POST /v1/images/generations</c> body: OpenAI's fields, local-engine fields and <c>extra</c>.</summary>
public sealed class ImageGenerationRequest : IMediaGenerationRequest
{
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }

    /// <summary><c>provider/model</c>; omitted for the server's default image backend.</summary>
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("provider")] public string? Provider { get; set; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; set; }
    [JsonPropertyName("width")] public int? Width { get; set; }
    [JsonPropertyName("height")] public int? Height { get; set; }
    [JsonPropertyName("size")] public string? Size { get; set; }
    [JsonPropertyName("n")] public int? N { get; set; }
    [JsonPropertyName("response_format")] public string? ResponseFormat { get; set; }
    [JsonPropertyName("negative_prompt")] public string? NegativePrompt { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("steps")] public int? Steps { get; set; }
    [JsonPropertyName("guidance_scale")] public double? GuidanceScale { get; set; }
    [JsonPropertyName("quality")] public JsonElement? Quality { get; set; }
    [JsonPropertyName("style")] public JsonElement? Style { get; set; }
    [JsonPropertyName("user")] public JsonElement? User { get; set; }
    [JsonPropertyName("background")] public JsonElement? Background { get; set; }
    [JsonPropertyName("output_format")] public JsonElement? OutputFormat { get; set; }
    [JsonPropertyName("output_compression")] public JsonElement? OutputCompression { get; set; }
    [JsonPropertyName("moderation")] public JsonElement? Moderation { get; set; }

    /// <summary>Backend-specific fields, merged into the upstream body.</summary>
    [JsonPropertyName("extra")] public JsonElement? Extra { get; set; }

    /// <summary>Anything else: refused with a 400 naming the field (the schema is closed).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; set; }

    /// <summary>The named OpenAI fields passed to the upstream as they are.</summary>
    public IEnumerable<KeyValuePair<string, JsonElement>> Passthrough()
    {
        foreach (var (name, value) in (List<(string, JsonElement?)>)
                 [("quality", Quality), ("style", Style), ("user", User), ("background", Background),
                  ("output_format", OutputFormat), ("output_compression", OutputCompression), ("moderation", Moderation)])
        {
            if (value is { ValueKind: not JsonValueKind.Null } v)
            {
                yield return new(name, v);
            }
        }
    }
}
