using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.Providers.Ollama;

/// <summary><c>POST /api/chat</c> body. <c>stream</c> is always written: Ollama streams when it is absent.</summary>
internal sealed class OllamaChatRequest
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("messages")] public required List<OllamaMessage> Messages { get; init; }
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    [JsonPropertyName("tools")] public List<OllamaTool>? Tools { get; init; }

    /// <summary><c>true</c>, <c>false</c> or a level (<c>"low"</c>, <c>"medium"</c>, <c>"high"</c>).</summary>
    [JsonPropertyName("think")] public JsonElement? Think { get; set; }

    /// <summary><c>"json"</c> or a JSON schema.</summary>
    [JsonPropertyName("format")] public JsonElement? Format { get; init; }
    [JsonPropertyName("options")] public OllamaOptions? Options { get; init; }
    [JsonPropertyName("keep_alive")] public JsonElement? KeepAlive { get; init; }
}

internal sealed class OllamaMessage
{
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }

    /// <summary>Raw base64, no <c>data:</c> prefix.</summary>
    [JsonPropertyName("images")] public List<string>? Images { get; set; }
    [JsonPropertyName("tool_calls")] public List<OllamaToolCall>? ToolCalls { get; set; }

    /// <summary>On <c>tool</c> messages: the function whose result this is.</summary>
    [JsonPropertyName("tool_name")] public string? ToolName { get; set; }

    /// <summary>On <c>tool</c> messages: the call id, for Ollama versions that keep ids (older ones ignore it).</summary>
    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; set; }
}

internal sealed class OllamaToolCall
{
    /// <summary>Only newer Ollama versions send one; otherwise the gateway makes it up.</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("function")] public OllamaFunctionCall? Function { get; set; }
}

internal sealed class OllamaFunctionCall
{
    [JsonPropertyName("name")] public string? Name { get; set; }

    /// <summary>An object (not a JSON string as in OpenAI's wire format).</summary>
    [JsonPropertyName("arguments")] public JsonElement? Arguments { get; set; }
}

internal sealed class OllamaTool
{
    [JsonPropertyName("type")] public string Type { get; init; } = "function";
    [JsonPropertyName("function")] public required OllamaToolFunction Function { get; init; }
}

internal sealed class OllamaToolFunction
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("parameters")] public JsonElement Parameters { get; init; }
}

internal sealed class OllamaOptions
{
    [JsonPropertyName("temperature")] public float? Temperature { get; init; }
    [JsonPropertyName("top_p")] public float? TopP { get; init; }
    [JsonPropertyName("top_k")] public int? TopK { get; init; }
    [JsonPropertyName("num_predict")] public int? NumPredict { get; init; }
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    [JsonPropertyName("stop")] public IList<string>? Stop { get; init; }
    [JsonPropertyName("presence_penalty")] public float? PresencePenalty { get; init; }
    [JsonPropertyName("frequency_penalty")] public float? FrequencyPenalty { get; init; }

    [JsonIgnore]
    public bool IsEmpty => Temperature is null && TopP is null && TopK is null && NumPredict is null && Seed is null &&
                           Stop is not { Count: > 0 } && PresencePenalty is null && FrequencyPenalty is null;
}

/// <summary>One <c>/api/chat</c> answer, or one NDJSON line of a streamed one.</summary>
internal sealed class OllamaChatResponse
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("created_at")] public string? CreatedAt { get; set; }
    [JsonPropertyName("message")] public OllamaMessage? Message { get; set; }
    [JsonPropertyName("done")] public bool Done { get; set; }
    [JsonPropertyName("done_reason")] public string? DoneReason { get; set; }
    [JsonPropertyName("prompt_eval_count")] public long? PromptEvalCount { get; set; }
    [JsonPropertyName("eval_count")] public long? EvalCount { get; set; }

    /// <summary>Set instead of everything else when Ollama fails (also as a line in the middle of a stream).</summary>
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary><c>GET /api/tags</c>.</summary>
internal sealed class OllamaTagsResponse
{
    [JsonPropertyName("models")] public List<OllamaModelTag>? Models { get; set; }
}

internal sealed class OllamaModelTag
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("modified_at")] public string? ModifiedAt { get; set; }
    [JsonPropertyName("size")] public long? Size { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaChatResponse))]
[JsonSerializable(typeof(OllamaTagsResponse))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext;
