using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.Messages;

// Anthropic's Messages API as clients send it (https://docs.anthropic.com/en/api/messages). Fields whose shape varies
// (system and content: a string or blocks; tool_result content likewise) stay JsonElement and are read block by block.

/// <summary>A <c>POST /v1/messages</c> (or <c>/v1/messages/count_tokens</c>) body.</summary>
public sealed class MessagesRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("max_tokens")] public JsonElement? MaxTokens { get; set; }
    [JsonPropertyName("system")] public JsonElement? System { get; set; }
    [JsonPropertyName("messages")] public JsonElement? Messages { get; set; }
    [JsonPropertyName("tools")] public JsonElement? Tools { get; set; }
    [JsonPropertyName("tool_choice")] public MessagesToolChoice? ToolChoice { get; set; }
    [JsonPropertyName("stop_sequences")] public List<string>? StopSequences { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("top_k")] public int? TopK { get; set; }
    [JsonPropertyName("metadata")] public MessagesMetadata? Metadata { get; set; }
    [JsonPropertyName("thinking")] public MessagesThinking? Thinking { get; set; }
    [JsonPropertyName("stream")] public bool? Stream { get; set; }

    /// <summary>Everything else (<c>context_management</c>, <c>output_config</c>, the gateway's own extensions …):
    /// kept for Anthropic, which gets the body as sent; the gateway's extensions are read from here.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One block of a message's content, of the system prompt, or of a tool_result's content.</summary>
public sealed class MessagesBlock
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("text")] public string? Text { get; set; }
    [JsonPropertyName("source")] public MessagesSource? Source { get; set; }
    [JsonPropertyName("title")] public string? Title { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("input")] public JsonElement? Input { get; set; }
    [JsonPropertyName("tool_use_id")] public string? ToolUseId { get; set; }
    [JsonPropertyName("content")] public JsonElement? Content { get; set; }
    [JsonPropertyName("is_error")] public bool? IsError { get; set; }
}

/// <summary>An image's or a document's source: base64, url, or (documents) plain text.</summary>
public sealed class MessagesSource
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("media_type")] public string? MediaType { get; set; }
    [JsonPropertyName("data")] public string? Data { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
}

/// <summary>A custom tool (<c>name</c>, <c>description</c>, <c>input_schema</c>), or a server tool named by its <c>type</c>.</summary>
public sealed class MessagesTool
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("input_schema")] public JsonElement? InputSchema { get; set; }

    /// <summary>Loaded only when a tool search finds it (Claude Code sends a placeholder so marked).</summary>
    [JsonPropertyName("defer_loading")] public bool? DeferLoading { get; set; }
}

public sealed class MessagesToolChoice
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("disable_parallel_tool_use")] public bool? DisableParallelToolUse { get; set; }
}

public sealed class MessagesMetadata
{
    [JsonPropertyName("user_id")] public string? UserId { get; set; }
}

/// <summary><c>{"type":"enabled","budget_tokens":N}</c>, <c>{"type":"disabled"}</c> or <c>{"type":"adaptive"}</c>.</summary>
public sealed class MessagesThinking
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("budget_tokens")] public int? BudgetTokens { get; set; }
}

/// <summary>The answer of <c>/v1/messages/count_tokens</c>.</summary>
public sealed class TokenCount
{
    [JsonPropertyName("input_tokens")] public long InputTokens { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessagesRequest))]
[JsonSerializable(typeof(MessagesBlock))]
[JsonSerializable(typeof(List<MessagesBlock>))]
[JsonSerializable(typeof(MessagesTool))]
[JsonSerializable(typeof(TokenCount))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
public sealed partial class MessagesJsonContext : JsonSerializerContext;
