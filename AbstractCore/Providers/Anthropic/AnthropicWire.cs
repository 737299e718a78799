using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.Providers.Anthropic;

// The Anthropic Messages API on the wire (https://docs.anthropic.com/en/api/messages), only the fields the
// gateway sends or reads. Unknown fields in answers are ignored, so new block or event types do not break it.

/// <summary><c>POST /v1/messages</c>.</summary>
internal sealed class AnthropicMessagesRequest
{
    [JsonPropertyName("model")] public required string Model { get; set; }
    [JsonPropertyName("max_tokens")] public int MaxTokens { get; set; }
    [JsonPropertyName("system")] public string? System { get; set; }
    [JsonPropertyName("messages")] public List<AnthropicMessageParam> Messages { get; set; } = [];
    [JsonPropertyName("stop_sequences")] public List<string>? StopSequences { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("top_k")] public int? TopK { get; set; }
    [JsonPropertyName("tools")] public List<AnthropicToolParam>? Tools { get; set; }
    [JsonPropertyName("tool_choice")] public AnthropicToolChoice? ToolChoice { get; set; }
    [JsonPropertyName("thinking")] public AnthropicThinking? Thinking { get; set; }
    [JsonPropertyName("metadata")] public AnthropicMetadata? Metadata { get; set; }
    [JsonPropertyName("stream")] public bool? Stream { get; set; }
}

internal sealed class AnthropicMessageParam
{
    [JsonPropertyName("role")] public required string Role { get; set; }
    [JsonPropertyName("content")] public List<AnthropicBlockParam> Content { get; set; } = [];
}

/// <summary>One content block of a request message: text, image, document, tool_use or tool_result.</summary>
internal sealed class AnthropicBlockParam
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("source")] public AnthropicSource? Source { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("input")] public JsonElement? Input { get; set; }
    [JsonPropertyName("tool_use_id")] public string? ToolUseId { get; set; }
    [JsonPropertyName("content")] public string? Content { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }
    [JsonPropertyName("signature")] public string? Signature { get; set; }
}

/// <summary><c>{"type":"base64","media_type","data"}</c>, <c>{"type":"url","url"}</c> or <c>{"type":"text","media_type","data"}</c>.</summary>
internal sealed class AnthropicSource
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("media_type")] public string? MediaType { get; set; }
    [JsonPropertyName("data")] public string? Data { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
}

internal sealed class AnthropicToolParam
{
    [JsonPropertyName("name")] public required string Name { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("input_schema")] public JsonElement InputSchema { get; set; }
}

/// <summary><c>{"type":"auto"|"any"|"none"|"tool","name"?,"disable_parallel_tool_use"?}</c>.</summary>
internal sealed class AnthropicToolChoice
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("disable_parallel_tool_use")] public bool? DisableParallelToolUse { get; set; }
}

internal sealed class AnthropicThinking
{
    [JsonPropertyName("type")] public string Type { get; set; } = "enabled";
    [JsonPropertyName("budget_tokens")] public int BudgetTokens { get; set; }
}

internal sealed class AnthropicMetadata
{
    [JsonPropertyName("user_id")] public string? UserId { get; set; }
}

/// <summary>A non-streamed answer, and the <c>message</c> of a <c>message_start</c> event.</summary>
internal sealed class AnthropicMessage
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("content")] public List<AnthropicBlock>? Content { get; set; }
    [JsonPropertyName("stop_reason")] public string? StopReason { get; set; }
    [JsonPropertyName("stop_sequence")] public string? StopSequence { get; set; }
    [JsonPropertyName("usage")] public AnthropicUsage? Usage { get; set; }
}

/// <summary>One content block of an answer: text, thinking, redacted_thinking, tool_use (others are ignored).</summary>
internal sealed class AnthropicBlock
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }
    [JsonPropertyName("signature")] public string? Signature { get; set; }
    [JsonPropertyName("data")] public string? Data { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("input")] public JsonElement? Input { get; set; }
}

internal sealed class AnthropicUsage
{
    [JsonPropertyName("input_tokens")] public long? InputTokens { get; set; }
    [JsonPropertyName("output_tokens")] public long? OutputTokens { get; set; }
    [JsonPropertyName("cache_creation_input_tokens")] public long? CacheCreationInputTokens { get; set; }
    [JsonPropertyName("cache_read_input_tokens")] public long? CacheReadInputTokens { get; set; }
}

/// <summary>The <c>data:</c> of one SSE event; which fields are set depends on <see cref="Type"/>.</summary>
internal sealed class AnthropicStreamEvent
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("message")] public AnthropicMessage? Message { get; set; }
    [JsonPropertyName("index")] public int? Index { get; set; }
    [JsonPropertyName("content_block")] public AnthropicBlock? ContentBlock { get; set; }
    [JsonPropertyName("delta")] public AnthropicDelta? Delta { get; set; }
    [JsonPropertyName("usage")] public AnthropicUsage? Usage { get; set; }
    [JsonPropertyName("error")] public AnthropicError? Error { get; set; }
}

/// <summary>A <c>content_block_delta</c> (text_delta, thinking_delta, signature_delta, input_json_delta) or a
/// <c>message_delta</c> (stop_reason) delta.</summary>
internal sealed class AnthropicDelta
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }
    [JsonPropertyName("signature")] public string? Signature { get; set; }
    [JsonPropertyName("partial_json")] public string? PartialJson { get; set; }
    [JsonPropertyName("stop_reason")] public string? StopReason { get; set; }
    [JsonPropertyName("stop_sequence")] public string? StopSequence { get; set; }
}

internal sealed class AnthropicError
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary><c>GET /v1/models</c>: one page.</summary>
internal sealed class AnthropicModelPage
{
    [JsonPropertyName("data")] public List<AnthropicModel>? Data { get; set; }
    [JsonPropertyName("has_more")] public bool HasMore { get; set; }
    [JsonPropertyName("last_id")] public string? LastId { get; set; }
}

internal sealed class AnthropicModel
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("display_name")] public string? DisplayName { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnthropicMessagesRequest))]
[JsonSerializable(typeof(AnthropicMessage))]
[JsonSerializable(typeof(AnthropicStreamEvent))]
[JsonSerializable(typeof(AnthropicModelPage))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
