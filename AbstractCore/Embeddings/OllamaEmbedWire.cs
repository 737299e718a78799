using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.Embeddings;

/// <summary>Ollama's <c>POST /api/embed</c> answer: <c>{"model","embeddings":[[…]],"prompt_eval_count",…}</c>.</summary>
internal sealed class OllamaEmbedResponse
{
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>Kept as written, so the numbers reach the client unchanged.</summary>
    [JsonPropertyName("embeddings")] public List<JsonElement>? Embeddings { get; init; }

    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OllamaEmbedResponse))]
internal sealed partial class OllamaEmbedJsonContext : JsonSerializerContext;
