using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Chat;

/// <summary>A non-streamed <c>chat.completion</c> object.</summary>
public sealed class ChatCompletion
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("object")] public string Object { get; } = "chat.completion";
    [JsonPropertyName("created")] public long Created { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("choices")] public required List<ChatChoice> Choices { get; init; }
    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Usage? Usage { get; init; }
    [JsonPropertyName("system_fingerprint")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SystemFingerprint { get; init; }
}

public sealed class ChatChoice
{
    [JsonPropertyName("index")] public int Index { get; init; }
    [JsonPropertyName("message")] public required AssistantMessage Message { get; init; }
    [JsonPropertyName("logprobs")] public System.Text.Json.JsonElement? Logprobs { get; init; }
    [JsonPropertyName("finish_reason")] public string? FinishReason { get; init; }
}

public sealed class AssistantMessage
{
    [JsonPropertyName("role")] public string Role { get; } = "assistant";

    /// <summary>Always written: null on a pure tool-call turn, as OpenAI does.</summary>
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("reasoning_content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ReasoningContent { get; init; }
    [JsonPropertyName("tool_calls")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ToolCallDto>? ToolCalls { get; init; }
    [JsonPropertyName("refusal")] public string? Refusal { get; init; }
}

public sealed class Usage
{
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; init; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; init; }
    [JsonPropertyName("total_tokens")] public long TotalTokens { get; init; }
    [JsonPropertyName("prompt_tokens_details")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public PromptTokensDetails? PromptTokensDetails { get; init; }
    [JsonPropertyName("completion_tokens_details")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CompletionTokensDetails? CompletionTokensDetails { get; init; }
}

public sealed class PromptTokensDetails
{
    [JsonPropertyName("cached_tokens")] public long CachedTokens { get; init; }
}

public sealed class CompletionTokensDetails
{
    [JsonPropertyName("reasoning_tokens")] public long ReasoningTokens { get; init; }
}
