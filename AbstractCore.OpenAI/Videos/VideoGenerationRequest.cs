using System.Text.Json;
using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Media;

namespace AbstractCore.OpenAI.Videos;

/// <summary>A <c>POST /v1/videos/generations</c> body. Every generation field is forwarded to the upstream.</summary>
public sealed class VideoGenerationRequest : IMediaGenerationRequest
{
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("provider")] public string? Provider { get; set; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; set; }
    [JsonPropertyName("width")] public int? Width { get; set; }
    [JsonPropertyName("height")] public int? Height { get; set; }
    [JsonPropertyName("size")] public string? Size { get; set; }
    [JsonPropertyName("fps")] public double? Fps { get; set; }
    [JsonPropertyName("num_frames")] public int? NumFrames { get; set; }
    [JsonPropertyName("frames")] public int? Frames { get; set; }
    [JsonPropertyName("steps")] public int? Steps { get; set; }
    [JsonPropertyName("guidance_scale")] public double? GuidanceScale { get; set; }
    [JsonPropertyName("guidance_2")] public double? Guidance2 { get; set; }
    [JsonPropertyName("flow_shift")] public double? FlowShift { get; set; }
    [JsonPropertyName("negative_prompt")] public string? NegativePrompt { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("response_format")] public string? ResponseFormat { get; set; }
    [JsonPropertyName("extra")] public JsonElement? Extra { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unknown { get; set; }
}
