using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Responses;

/// <summary>
/// A <c>POST /v1/responses</c> body. Fields whose shape varies on the wire stay <see cref="JsonElement"/>;
/// the Responses-only fields are typed so they are never forwarded to a chat upstream.
/// </summary>
public sealed class ResponsesRequest
{
    [JsonPropertyName("model")] public string? Model { get; set; }

    /// <summary>A string, or an array of input items.</summary>
    [JsonPropertyName("input")] public JsonElement? Input { get; set; }
    [JsonPropertyName("instructions")] public string? Instructions { get; set; }
    [JsonPropertyName("tools")] public JsonElement? Tools { get; set; }
    [JsonPropertyName("tool_choice")] public JsonElement? ToolChoice { get; set; }
    [JsonPropertyName("parallel_tool_calls")] public bool? ParallelToolCalls { get; set; }
    [JsonPropertyName("stream")] public bool? Stream { get; set; }
    [JsonPropertyName("max_output_tokens")] public int? MaxOutputTokens { get; set; }
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; set; }
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("stop")] public JsonElement? Stop { get; set; }
    [JsonPropertyName("seed")] public long? Seed { get; set; }
    [JsonPropertyName("presence_penalty")] public double? PresencePenalty { get; set; }
    [JsonPropertyName("frequency_penalty")] public double? FrequencyPenalty { get; set; }
    [JsonPropertyName("text")] public JsonElement? Text { get; set; }
    [JsonPropertyName("reasoning")] public JsonElement? Reasoning { get; set; }
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; set; }
    [JsonPropertyName("store")] public bool? Store { get; set; }
    [JsonPropertyName("previous_response_id")] public string? PreviousResponseId { get; set; }
    [JsonPropertyName("include")] public JsonElement? Include { get; set; }
    [JsonPropertyName("truncation")] public JsonElement? Truncation { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("background")] public bool? Background { get; set; }
    [JsonPropertyName("service_tier")] public JsonElement? ServiceTier { get; set; }
    [JsonPropertyName("safety_identifier")] public JsonElement? SafetyIdentifier { get; set; }
    [JsonPropertyName("stream_options")] public JsonElement? StreamOptions { get; set; }

    /// <summary>Legacy chat shape: present without <c>input</c>, the chat path serves the request.</summary>
    [JsonPropertyName("messages")] public JsonElement? Messages { get; set; }

    // AbstractCore extensions, as on /v1/chat/completions.
    [JsonPropertyName("thinking")] public JsonElement? Thinking { get; set; }
    [JsonPropertyName("agent_format")] public string? AgentFormat { get; set; }
    [JsonPropertyName("unload_after")][JsonConverter(typeof(Json.LaxBoolConverter))] public bool? UnloadAfter { get; set; }
    [JsonPropertyName("base_url")] public string? BaseUrl { get; set; }

    /// <summary>Every other field (prompt_cache_key, timeout_s, …): tolerated, handled like on the chat path.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
