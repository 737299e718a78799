using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Models;

/// <summary><c>GET /v1/models</c>: <c>{"object":"list","data":[…]}</c>.</summary>
public sealed class ModelList
{
    [JsonPropertyName("object")] public string Object { get; } = "list";
    [JsonPropertyName("data")] public required List<ModelInfo> Data { get; init; }
}

public sealed class ModelInfo
{
    public const string EmbeddingsType = "embeddings";

    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; } = "model";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("owned_by")] public required string OwnedBy { get; init; }

    /// <summary>Local models only: the longest prompt plus completion, in tokens.</summary>
    [JsonPropertyName("context_length")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? ContextLength { get; init; }

    /// <summary>Local models only: <c>llm</c> or <see cref="EmbeddingsType"/> (LM Studio's names), so a filter need not guess from the name.</summary>
    [JsonPropertyName("type")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; init; }

    /// <summary>Model aliases only: the names of the deployments that serve it (never their URLs).</summary>
    [JsonPropertyName("deployments")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Deployments { get; init; }
}
