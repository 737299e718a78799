using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Embeddings;

/// <summary>OpenAI's embeddings answer: <c>{"object":"list","data":[{"object":"embedding","embedding":[…],"index":i}],"model","usage"}</c>.</summary>
public sealed class EmbeddingList
{
    [JsonPropertyName("object")] public string Object { get; init; } = "list";
    [JsonPropertyName("data")] public required IReadOnlyList<EmbeddingItem> Data { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("usage")] public required EmbeddingUsage Usage { get; init; }
}

public sealed class EmbeddingItem
{
    [JsonPropertyName("object")] public string Object { get; init; } = "embedding";

    /// <summary>The vector as the upstream wrote it (numbers), or a base64 string of little-endian float32s.</summary>
    [JsonPropertyName("embedding")] public required JsonElement Embedding { get; init; }

    [JsonPropertyName("index")] public required int Index { get; init; }
}

public sealed class EmbeddingUsage
{
    [JsonPropertyName("prompt_tokens")] public int PromptTokens { get; init; }
    [JsonPropertyName("total_tokens")] public int TotalTokens { get; init; }
}

/// <summary>The request body the docs show for <c>POST /v1/embeddings</c> (the route reads it itself, field by field).</summary>
public sealed class EmbeddingRequestBody
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>A string, or an array of strings (one vector each).</summary>
    [JsonPropertyName("input")] public JsonElement Input { get; init; }

    [JsonPropertyName("encoding_format")] public string? EncodingFormat { get; init; }
    [JsonPropertyName("dimensions")] public int? Dimensions { get; init; }
    [JsonPropertyName("user")] public string? User { get; init; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; init; }

    /// <summary>AbstractCore extension: cut inputs longer than the model takes (special tokens kept) instead of a 400;
    /// local models (<c>onnx/*</c>, <c>huggingface/*</c>) and Ollama only.</summary>
    [JsonPropertyName("truncate")] public bool? Truncate { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EmbeddingList))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(EmbeddingRequestBody))]
public sealed partial class EmbeddingsJsonContext : JsonSerializerContext;
