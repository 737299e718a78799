using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Chat;

/// <summary>One <c>chat.completion.chunk</c> of a streamed answer.</summary>
public sealed class ChatCompletionChunk
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; } = "chat.completion.chunk";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("choices")] public required List<ChunkChoice> Choices { get; init; }

    /// <summary>Only on the last chunk (with empty choices) when the client asked for usage.</summary>
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Usage? Usage { get; init; }

    /// <summary>Only on a stream's last chunk when it broke after it started (with <c>finish_reason: "error"</c>), as
    /// OpenRouter reports a failure mid-stream: the SDKs raise it, and the finish reason says the answer is cut.</summary>
    [JsonPropertyName("error")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Errors.ErrorBody? Error { get; init; }
}

public sealed class ChunkChoice
{
    [JsonPropertyName("index")] public int Index { get; init; }
    [JsonPropertyName("delta")] public required ChunkDelta Delta { get; init; }
    [JsonPropertyName("logprobs")] public System.Text.Json.JsonElement? Logprobs { get; init; }
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; init; }
}

public sealed class ChunkDelta
{
    [JsonPropertyName("role")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Role { get; init; }
    [JsonPropertyName("content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Content { get; init; }
    [JsonPropertyName("reasoning_content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ReasoningContent { get; init; }
    [JsonPropertyName("tool_calls")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ToolCallDto>? ToolCalls { get; init; }
}
