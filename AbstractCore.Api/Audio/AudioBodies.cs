using System.Text.Json.Serialization;

namespace AbstractCore.Api.Audio;

// The bodies the docs describe. The handlers read their bodies themselves, field by field (aliases, partial forms).

internal sealed class SpeechBody
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("input")] public string? Input { get; init; }
    [JsonPropertyName("voice")] public string? Voice { get; init; }
    [JsonPropertyName("response_format")] public string? ResponseFormat { get; init; }
    [JsonPropertyName("speed")] public double? Speed { get; init; }
    [JsonPropertyName("instructions")] public string? Instructions { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
}

internal sealed class MusicBody
{
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("prompt")] public string? Prompt { get; init; }
    [JsonPropertyName("provider")] public string? Provider { get; init; }
    [JsonPropertyName("lyrics")] public string? Lyrics { get; init; }
    [JsonPropertyName("duration_s")] public double? DurationS { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("format")] public string? Format { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
}

internal sealed class TranscriptionForm
{
    [JsonPropertyName("file")] public IFormFile? File { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("language")] public string? Language { get; init; }
    [JsonPropertyName("prompt")] public string? Prompt { get; init; }
    [JsonPropertyName("response_format")] public string? ResponseFormat { get; init; }
    [JsonPropertyName("temperature")] public double? Temperature { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
}

internal sealed class VoiceCloneForm
{
    [JsonPropertyName("file")] public IFormFile? File { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("reference_text")] public string? ReferenceText { get; init; }
    [JsonPropertyName("validate")] public bool? Validate { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }
    [JsonPropertyName("clone_path")] public string? ClonePath { get; init; }
    [JsonPropertyName("file_field")] public string? FileField { get; init; }
    [JsonPropertyName("consent")] public string? Consent { get; init; }
}
