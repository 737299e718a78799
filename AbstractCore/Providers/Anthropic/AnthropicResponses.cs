using System.Text;
using System.Text.Json;
using AbstractCore.Chat.Streaming;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Anthropic;

/// <summary>Anthropic answers → Microsoft.Extensions.AI: content blocks, stop reasons, usage, error types.</summary>
internal static class AnthropicResponses
{
    public static ChatResponse ToChatResponse(AnthropicMessage message, string? schemaTool)
    {
        var contents = new List<AIContent>();
        foreach (var block in message.Content ?? [])
        {
            switch (block.Type)
            {
                case "text" when !string.IsNullOrEmpty(block.Text):
                    contents.Add(new TextContent(block.Text) { RawRepresentation = block });
                    break;
                case "thinking":
                    contents.Add(new TextReasoningContent(block.Thinking) { ProtectedData = block.Signature, RawRepresentation = block });
                    break;
                case "tool_use" when schemaTool is not null && block.Name == schemaTool:
                    // A json_schema answer: the forced tool's input is the JSON the client asked for.
                    contents.Add(new TextContent(block.Input is { } input ? input.GetRawText() : "{}") { RawRepresentation = block });
                    break;
                case "tool_use":
                    contents.Add(new FunctionCallContent(block.Id ?? "", block.Name ?? "", Arguments(block.Input)) { RawRepresentation = block });
                    break;
            }
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { MessageId = message.Id })
        {
            ResponseId = message.Id,
            ModelId = message.Model,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = FinishReason(message.StopReason, schemaTool is not null),
            Usage = Usage(message.Usage),
            RawRepresentation = message,
        };
    }

    /// <summary>end_turn, stop_sequence, pause_turn → stop; max_tokens → length; tool_use → tool_calls (stop for a
    /// json_schema answer); refusal → content_filter.</summary>
    public static ChatFinishReason? FinishReason(string? stopReason, bool schemaTool = false) => stopReason switch
    {
        null => null,
        "tool_use" => schemaTool ? ChatFinishReason.Stop : ChatFinishReason.ToolCalls,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "refusal" => ChatFinishReason.ContentFilter,
        _ => ChatFinishReason.Stop, // end_turn, stop_sequence, pause_turn and anything newer
    };

    /// <summary>
    /// Anthropic's <c>input_tokens</c> leaves out the tokens read from and written to the prompt cache; OpenAI's
    /// <c>prompt_tokens</c> counts them, so both are added, and the cache reads are also the cached count.
    /// </summary>
    public static UsageDetails? Usage(AnthropicUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var input = (usage.InputTokens ?? 0) + (usage.CacheCreationInputTokens ?? 0) + (usage.CacheReadInputTokens ?? 0);
        var output = usage.OutputTokens ?? 0;
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            CachedInputTokenCount = usage.CacheReadInputTokens is > 0 ? usage.CacheReadInputTokens : null,
        };
    }

    /// <summary>A tool_use <c>input</c> object as M.E.AI arguments (values stay <see cref="JsonElement"/>s).</summary>
    public static Dictionary<string, object?>? Arguments(JsonElement? input)
    {
        if (input is not { ValueKind: JsonValueKind.Object } obj)
        {
            return input is null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } ? [] : null;
        }

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            arguments[property.Name] = property.Value.Clone();
        }

        return arguments;
    }

    /// <summary>The HTTP status Anthropic uses for an error type (for errors that arrive inside a stream).</summary>
    public static int Status(string? errorType) => errorType switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 529,
        _ => 500, // api_error
    };
}

/// <summary>
/// Anthropic stream events → <see cref="ChatResponseUpdate"/>s as they arrive: text and thinking deltas pass
/// straight through; a tool_use block is announced at its start and each <c>input_json_delta</c> fragment passes on as
/// it comes (<see cref="ToolCallFragment"/>), the whole call following at its <c>content_block_stop</c> (the
/// json_schema tool's fragments are the answer text and pass through);
/// <c>message_delta</c> carries the finish reason and the usage.
/// </summary>
internal sealed class AnthropicStreamTranslator(string? schemaTool)
{
    private readonly Dictionary<int, (string Id, string Name, StringBuilder Json)> _toolBlocks = [];
    private readonly HashSet<int> _schemaBlocks = [];
    private readonly AnthropicUsage _usage = new();
    private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;
    private string? _id;
    private string? _model;

    /// <summary>True once <c>message_stop</c> arrived: the stream is complete.</summary>
    public bool Stopped { get; private set; }

    /// <param name="eventName">The SSE <c>event:</c> name, or null to go by the data's <c>type</c>.</param>
    /// <param name="data">The SSE <c>data:</c> JSON.</param>
    public ChatResponseUpdate[] Handle(string? eventName, ReadOnlySpan<byte> data)
    {
        var e = JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.AnthropicStreamEvent)
                ?? throw new JsonException("An Anthropic stream event was null.");
        switch (eventName ?? e.Type)
        {
            case "message_start":
                _id = e.Message?.Id;
                _model = e.Message?.Model;
                Merge(e.Message?.Usage);
                return [Update()];

            case "content_block_start" when e.ContentBlock is { } block && e.Index is { } index:
                switch (block.Type)
                {
                    case "tool_use" when schemaTool is not null && block.Name == schemaTool:
                        _schemaBlocks.Add(index);
                        return [];
                    case "tool_use":
                        _toolBlocks[index] = (block.Id ?? "", block.Name ?? "", new StringBuilder());
                        return [Update(new ToolCallFragment(block.Id ?? "", block.Name ?? "", ""))];
                    case "text" when !string.IsNullOrEmpty(block.Text):
                        return [Update(new TextContent(block.Text))];
                    case "thinking" when !string.IsNullOrEmpty(block.Thinking):
                        return [Update(new TextReasoningContent(block.Thinking))];
                    default:
                        return [];
                }

            case "content_block_delta" when e.Delta is { } delta:
                switch (delta.Type)
                {
                    case "text_delta" when !string.IsNullOrEmpty(delta.Text):
                        return [Update(new TextContent(delta.Text))];
                    case "thinking_delta" when !string.IsNullOrEmpty(delta.Thinking):
                        return [Update(new TextReasoningContent(delta.Thinking))];
                    case "signature_delta" when !string.IsNullOrEmpty(delta.Signature):
                        return [Update(new TextReasoningContent("") { ProtectedData = delta.Signature })];
                    case "input_json_delta" when e.Index is { } i && _schemaBlocks.Contains(i) && !string.IsNullOrEmpty(delta.PartialJson):
                        return [Update(new TextContent(delta.PartialJson))];
                    case "input_json_delta" when e.Index is { } i && _toolBlocks.TryGetValue(i, out var tool):
                        tool.Json.Append(delta.PartialJson);
                        return string.IsNullOrEmpty(delta.PartialJson) ? [] : [Update(new ToolCallFragment(tool.Id, null, delta.PartialJson))];
                    default:
                        return [];
                }

            case "content_block_stop" when e.Index is { } index && _toolBlocks.Remove(index, out var call):
                var json = call.Json.ToString();
                return [Update(new StreamedFunctionCallContent(call.Id, call.Name, ParseArguments(json), string.IsNullOrWhiteSpace(json) ? "{}" : json))];

            case "message_delta":
                Merge(e.Usage);
                var update = Update(new UsageContent(AnthropicResponses.Usage(_usage)!));
                update.FinishReason = AnthropicResponses.FinishReason(e.Delta?.StopReason, schemaTool is not null);
                return [update];

            case "message_stop":
                Stopped = true;
                return [];

            case "error":
                throw new UpstreamHttpException(AnthropicResponses.Status(e.Error?.Type), Encoding.UTF8.GetString(data));

            default:
                return []; // ping, and event types newer than this translator
        }
    }

    private static Dictionary<string, object?>? ParseArguments(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return AnthropicResponses.Arguments(doc.RootElement);
        }
        catch (JsonException)
        {
            return null; // sent on as "{}": Anthropic only streams complete objects, so this is a broken upstream
        }
    }

    /// <summary>message_start usage is the baseline; message_delta usage is cumulative and wins where present.</summary>
    private void Merge(AnthropicUsage? usage)
    {
        if (usage is null)
        {
            return;
        }

        _usage.InputTokens = usage.InputTokens ?? _usage.InputTokens;
        _usage.OutputTokens = usage.OutputTokens ?? _usage.OutputTokens;
        _usage.CacheCreationInputTokens = usage.CacheCreationInputTokens ?? _usage.CacheCreationInputTokens;
        _usage.CacheReadInputTokens = usage.CacheReadInputTokens ?? _usage.CacheReadInputTokens;
    }

    private ChatResponseUpdate Update(params AIContent[] contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _id,
        MessageId = _id,
        ModelId = _model,
        CreatedAt = _created,
    };
}
