using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Images;

/// <summary>The multipart fields of <c>/v1/images/edits</c> and <c>/v1/videos/edits</c>, for the OpenAPI document.</summary>
public sealed class MediaEditForm
{
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }

    /// <summary>The source image (a file part).</summary>
    [JsonPropertyName("image")] public string? Image { get; set; }

    /// <summary>Images only: an optional mask (a file part).</summary>
    [JsonPropertyName("mask")] public string? Mask { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("provider")] public string? Provider { get; set; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; set; }
    [JsonPropertyName("size")] public string? Size { get; set; }
    [JsonPropertyName("n")] public string? N { get; set; }
    [JsonPropertyName("response_format")] public string? ResponseFormat { get; set; }

    /// <summary>A JSON object string merged into the upstream form.</summary>
    [JsonPropertyName("extra_json")] public string? ExtraJson { get; set; }
}

/// <summary><c>{"job_id"}</c>, the answer to a job submission.</summary>
public sealed record JobCreated([property: JsonPropertyName("job_id")] string JobId);

/// <summary><c>{"created","data":[{"b64_json"}]}</c>.</summary>
public sealed class MediaAnswer
{
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("data")] public List<MediaAnswerItem> Data { get; set; } = [];
}

public sealed class MediaAnswerItem
{
    [JsonPropertyName("b64_json")] public string? B64Json { get; set; }
    [JsonPropertyName("revised_prompt")] public string? RevisedPrompt { get; set; }
}
