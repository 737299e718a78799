using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Chat;

/// <summary>
/// A <c>POST /v1/chat/completions</c> body. Fields whose shape varies on the wire (stop, tool_choice,
/// response_format, tools) stay <see cref="JsonElement"/> so they can be forwarded byte for byte.
/// </summary>
public sealed class ChatCompletionRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("messages")] public List<ChatMessageDto>? Messages { get; set; }
    [JsonPropertyName("stream")] public bool? Stream { get; set; }
    [JsonPropertyName("stream_options")] public StreamOptions? StreamOptions { get; set; }
    [JsonPropertyName("tools")] public JsonElement? Tools { get; set; }
    [JsonPropertyName("tool_choice")] public JsonElement? ToolChoice { get; set; }
    [JsonPropertyName("parallel_tool_calls")] public bool? ParallelToolCalls { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; set; }
    [JsonPropertyName("stop")] public JsonElement? Stop { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("presence_penalty")] public double? PresencePenalty { get; set; }
    [JsonPropertyName("frequency_penalty")] public double? FrequencyPenalty { get; set; }
    [JsonPropertyName("response_format")] public JsonElement? ResponseFormat { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; set; }
    [JsonPropertyName("top_logprobs")] public int? TopLogprobs { get; set; }

    /// <summary>OpenAI's reasoning control for reasoning models.</summary>
    [JsonPropertyName("reasoning_effort")] public string? ReasoningEffort { get; set; }

    /// <summary>AbstractCore extension: null, auto, on/off, or a level (low, medium, high, xhigh); also true/false.</summary>
    [JsonPropertyName("thinking")] public JsonElement? Thinking { get; set; }

    /// <summary>AbstractCore extension: how tool calls are rendered (auto, openai, codex, qwen3, llama3, gemma, xml, passthrough).</summary>
    [JsonPropertyName("agent_format")] public string? AgentFormat { get; set; }

    /// <summary>AbstractCore extension: unload the model once this request is done (local servers only).</summary>
    [JsonPropertyName("unload_after")][JsonConverter(typeof(Json.LaxBoolConverter))] public bool? UnloadAfter { get; set; }

    /// <summary>AbstractCore extension: an upstream base URL for this request only.</summary>
    [JsonPropertyName("base_url")] public string? BaseUrl { get; set; }

    /// <summary>AbstractCore extension: the exact response cache (<c>{"ttl_s": 300, "force": true}</c>), read by the gateway
    /// from the raw body before this binds. A property of its own, so it is never forwarded with <see cref="Extra"/>.</summary>
    [JsonPropertyName("cache")] public JsonElement? Cache { get; set; }

    /// <summary>Every other field: tolerated, and forwarded to OpenAI-compatible upstreams.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class StreamOptions
{
    [JsonPropertyName("include_usage")] public bool? IncludeUsage { get; set; }
}

public sealed class ChatMessageDto
{
    [JsonPropertyName("role")] public string? Role { get; set; }

    /// <summary>A string, an array of content parts, or null (assistant tool-call turns).</summary>
    [JsonPropertyName("content")] public JsonElement? Content { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("tool_calls")] public List<ToolCallDto>? ToolCalls { get; set; }
    [JsonPropertyName("tool_call_id")] public string? ToolCallId { get; set; }
    [JsonPropertyName("reasoning_content")] public string? ReasoningContent { get; set; }
}

public sealed class ToolCallDto
{
    [JsonPropertyName("index")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Index { get; set; }
    // Null only on a streamed call's later fragments, which OpenAI sends with just the index and the arguments.
    [JsonPropertyName("id")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Id { get; set; }
    [JsonPropertyName("type")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Type { get; set; } = "function";
    [JsonPropertyName("function")] public FunctionCallDto? Function { get; set; }
}

public sealed class FunctionCallDto
{
    [JsonPropertyName("name")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; set; }

    /// <summary>The arguments as a JSON-encoded string, as OpenAI sends them.</summary>
    [JsonPropertyName("arguments")] public string? Arguments { get; set; }
}
