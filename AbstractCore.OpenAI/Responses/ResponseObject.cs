using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Responses;

/// <summary>An OpenAI Responses object (<c>object: "response"</c>).</summary>
public sealed class ResponseObject
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("object")] public string Object { get; set; } = "response";
    [JsonPropertyName("created_at")] public long CreatedAt { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "in_progress";
    [JsonPropertyName("error")] public ResponseError? Error { get; set; }
    [JsonPropertyName("incomplete_details")] public IncompleteDetails? IncompleteDetails { get; set; }

    [JsonPropertyName("instructions")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Instructions { get; set; }

    [JsonPropertyName("max_output_tokens")] public int? MaxOutputTokens { get; set; }
    [JsonPropertyName("model")] public required string Model { get; set; }
    [JsonPropertyName("output")] public List<ResponseItem> Output { get; set; } = [];
    [JsonPropertyName("parallel_tool_calls")] public bool ParallelToolCalls { get; set; } = true;
    [JsonPropertyName("previous_response_id")] public string? PreviousResponseId { get; set; }
    [JsonPropertyName("reasoning")] public JsonElement? Reasoning { get; set; }
    [JsonPropertyName("store")] public bool Store { get; set; } = true;
    [JsonPropertyName("temperature")] public double? Temperature { get; set; }
    [JsonPropertyName("text")] public JsonElement? Text { get; set; }
    [JsonPropertyName("tool_choice")] public JsonElement ToolChoice { get; set; }
    [JsonPropertyName("tools")] public List<JsonElement> Tools { get; set; } = [];
    [JsonPropertyName("top_p")] public double? TopP { get; set; }
    [JsonPropertyName("truncation")] public string Truncation { get; set; } = "disabled";

    [JsonPropertyName("usage")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseUsage? Usage { get; set; }

    [JsonPropertyName("user")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; set; }

    [JsonPropertyName("prompt_cache_key")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PromptCacheKey { get; set; }

    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
}

/// <summary>One output (or input) item: <c>message</c>, <c>function_call</c>, <c>reasoning</c>. Unused fields stay off the wire.</summary>
public sealed class ResponseItem
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("type")] public required string Type { get; set; }

    [JsonPropertyName("status")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; set; }

    [JsonPropertyName("role")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; set; }

    [JsonPropertyName("content")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ResponseContentPart>? Content { get; set; }

    [JsonPropertyName("call_id")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CallId { get; set; }

    [JsonPropertyName("name")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("arguments")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; set; }

    /// <summary>Custom (freeform) tool calls: the raw input.</summary>
    [JsonPropertyName("input")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Input { get; set; }

    /// <summary>Reasoning items: the summary parts.</summary>
    [JsonPropertyName("summary")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ResponseContentPart>? Summary { get; set; }
}

/// <summary><c>output_text</c> (with annotations and logprobs) or <c>summary_text</c>.</summary>
public sealed class ResponseContentPart
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("text")] public string Text { get; set; } = "";

    [JsonPropertyName("annotations")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<JsonElement>? Annotations { get; set; }

    [JsonPropertyName("logprobs")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<JsonElement>? Logprobs { get; set; }

    public static ResponseContentPart OutputText(string text = "") => new() { Type = "output_text", Text = text, Annotations = [], Logprobs = [] };

    public static ResponseContentPart SummaryText(string text = "") => new() { Type = "summary_text", Text = text };
}

public sealed class ResponseError
{
    [JsonPropertyName("code")] public required string Code { get; set; }
    [JsonPropertyName("message")] public required string Message { get; set; }
}

public sealed class IncompleteDetails
{
    [JsonPropertyName("reason")] public required string Reason { get; set; }
}

public sealed class ResponseUsage
{
    [JsonPropertyName("input_tokens")] public long InputTokens { get; set; }
    [JsonPropertyName("input_tokens_details")] public InputTokensDetails InputTokensDetails { get; set; } = new();
    [JsonPropertyName("output_tokens")] public long OutputTokens { get; set; }
    [JsonPropertyName("output_tokens_details")] public OutputTokensDetails OutputTokensDetails { get; set; } = new();
    [JsonPropertyName("total_tokens")] public long TotalTokens { get; set; }
}

public sealed class InputTokensDetails
{
    [JsonPropertyName("cached_tokens")] public long CachedTokens { get; set; }
}

public sealed class OutputTokensDetails
{
    [JsonPropertyName("reasoning_tokens")] public long ReasoningTokens { get; set; }
}

/// <summary><c>DELETE /v1/responses/{id}</c>'s answer.</summary>
public sealed class ResponseDeleted
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("object")] public string Object { get; set; } = "response.deleted";
    [JsonPropertyName("deleted")] public bool Deleted { get; set; } = true;
}

/// <summary><c>GET /v1/responses/{id}/input_items</c>'s answer: a page of the items the request sent.</summary>
public sealed class InputItemList
{
    [JsonPropertyName("object")] public string Object { get; set; } = "list";
    [JsonPropertyName("data")] public List<JsonElement> Data { get; set; } = [];
    [JsonPropertyName("first_id")] public string? FirstId { get; set; }
    [JsonPropertyName("last_id")] public string? LastId { get; set; }
    [JsonPropertyName("has_more")] public bool HasMore { get; set; }
}

/// <summary>One streamed event; the fields an event type does not use stay off the wire.</summary>
public sealed class ResponseStreamEvent
{
    [JsonPropertyName("type")] public required string Type { get; set; }
    [JsonPropertyName("sequence_number")] public long SequenceNumber { get; set; }

    [JsonPropertyName("response")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseObject? Response { get; set; }

    [JsonPropertyName("output_index")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OutputIndex { get; set; }

    [JsonPropertyName("item_id")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ItemId { get; set; }

    [JsonPropertyName("content_index")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContentIndex { get; set; }

    [JsonPropertyName("summary_index")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SummaryIndex { get; set; }

    [JsonPropertyName("item")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseItem? Item { get; set; }

    [JsonPropertyName("part")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseContentPart? Part { get; set; }

    [JsonPropertyName("delta")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Delta { get; set; }

    [JsonPropertyName("text")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; set; }

    [JsonPropertyName("arguments")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; set; }

    [JsonPropertyName("input")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Input { get; set; }

    [JsonPropertyName("logprobs")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<JsonElement>? Logprobs { get; set; }
}
