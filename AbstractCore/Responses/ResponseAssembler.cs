using System.Text;
using AbstractCore.Chat;
using AbstractCore.Chat.Streaming;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Responses;
using Microsoft.Extensions.AI;

namespace AbstractCore.Responses;

/// <summary>
/// Builds a Responses object from M.E.AI contents, and the stream events that tell a client about it as it grows:
/// reasoning becomes a <c>reasoning</c> item with a summary, text a <c>message</c> item with one <c>output_text</c> part,
/// each tool call a <c>function_call</c> item. Every batch of events must be written before the next call.
/// </summary>
public sealed class ResponseAssembler(ResponseObject response, IReadOnlySet<string>? customTools = null)
{
    private long _sequence;
    private ResponseItem? _message;
    private StringBuilder? _text;
    private ResponseItem? _reasoning;
    private StringBuilder? _reasoningText;
    private string? _finishReason;
    private UsageDetails? _usage;
    private readonly HashSet<string> _callIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ResponseItem?> _streamedCalls = new(StringComparer.Ordinal);

    public ResponseObject Response => response;

    /// <summary>The assistant turn as a chat message, for the stored conversation.</summary>
    public ChatMessageDto ToChatMessage()
    {
        var text = string.Concat(response.Output.Where(i => i.Type == "message").SelectMany(i => i.Content ?? []).Select(p => p.Text));
        var calls = response.Output.Where(i => i.Type is "function_call" or "custom_tool_call")
            .Select(i => new ToolCallDto
            {
                Id = i.CallId, Type = "function",
                Function = new FunctionCallDto
                {
                    Name = i.Name,
                    Arguments = i.Type == "function_call" ? i.Arguments : new System.Text.Json.Nodes.JsonObject { ["input"] = i.Input }.ToJsonString(),
                },
            })
            .ToList();
        return new ChatMessageDto
        {
            Role = "assistant",
            Content = text.Length > 0 || calls.Count == 0 ? ResponsesTranslator.ToElement(System.Text.Json.Nodes.JsonValue.Create(text)) : null,
            ToolCalls = calls.Count > 0 ? calls : null,
        };
    }

    public List<ResponseStreamEvent> Start() =>
    [
        Event("response.created", e => e.Response = response),
        Event("response.in_progress", e => e.Response = response),
    ];

    public List<ResponseStreamEvent> Add(ChatResponseUpdate update)
    {
        if (update.FinishReason is { } finish)
        {
            _finishReason = finish.Value;
        }

        var events = new List<ResponseStreamEvent>();
        foreach (var content in update.Contents)
        {
            Add(content, events);
        }

        return events;
    }

    public void Add(AIContent content, List<ResponseStreamEvent> events)
    {
        switch (content)
        {
            case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                if (_reasoning is null)
                {
                    CloseMessage(events);
                    _reasoning = new ResponseItem { Id = NewId("rs_"), Type = "reasoning", Summary = [] };
                    _reasoningText = new StringBuilder();
                    var index = Open(_reasoning, events);
                    events.Add(PartEvent("response.reasoning_summary_part.added", _reasoning, index, e => e.Part = ResponseContentPart.SummaryText()));
                }

                _reasoningText!.Append(r.Text);
                events.Add(PartEvent("response.reasoning_summary_text.delta", _reasoning, IndexOf(_reasoning), e => e.Delta = r.Text));
                break;
            case TextContent t when !string.IsNullOrEmpty(t.Text):
                if (_message is null)
                {
                    CloseReasoning(events);
                    _message = new ResponseItem { Id = NewId("msg_"), Type = "message", Status = "in_progress", Role = "assistant", Content = [] };
                    _text = new StringBuilder();
                    var index = Open(_message, events);
                    events.Add(PartEvent("response.content_part.added", _message, index, e => e.Part = ResponseContentPart.OutputText()));
                }

                _text!.Append(t.Text);
                events.Add(PartEvent("response.output_text.delta", _message, IndexOf(_message), e =>
                {
                    e.Delta = t.Text;
                    e.Logprobs = [];
                }));
                break;
            case ToolCallFragment fragment:
                AddFragment(fragment, events);
                break;
            case StreamedFunctionCallContent done when _streamedCalls.Remove(done.CallId, out var open) && open is not null:
                FinishStreamedCall(open, events);
                break;
            case FunctionCallContent call when _callIds.Add(call.CallId):
            {
                CloseReasoning(events);
                CloseMessage(events);
                var arguments = ChatCompletionMapper.ToToolCall(call).Function!.Arguments ?? "{}";
                if (customTools?.Contains(call.Name) == true)
                {
                    AddCustomCall(call, arguments, events);
                    break;
                }

                var item = new ResponseItem
                {
                    Id = NewId("fc_"), Type = "function_call", Status = "in_progress", CallId = call.CallId, Name = call.Name, Arguments = "",
                };
                var index = Open(item, events);
                item.Arguments = arguments;
                AddWhole(item, index, arguments, events);
                break;
            }

            case UsageContent usage:
                _usage = usage.Details;
                break;
        }
    }

    /// <summary>
    /// A function call's fragment as it arrives: the first opens its <c>function_call</c> item, each one is an
    /// <c>arguments.delta</c>. A custom tool's input is unwrapped from its JSON only once whole, so its fragments wait
    /// for the whole call (null in the map).
    /// </summary>
    private void AddFragment(ToolCallFragment fragment, List<ResponseStreamEvent> events)
    {
        if (!_streamedCalls.TryGetValue(fragment.CallId, out var item))
        {
            if (fragment.Name is null || customTools?.Contains(fragment.Name) == true || !_callIds.Add(fragment.CallId))
            {
                _streamedCalls[fragment.CallId] = null;
                return;
            }

            CloseReasoning(events);
            CloseMessage(events);
            item = new ResponseItem
            {
                Id = NewId("fc_"), Type = "function_call", Status = "in_progress", CallId = fragment.CallId, Name = fragment.Name, Arguments = "",
            };
            Open(item, events);
            _streamedCalls[fragment.CallId] = item;
        }

        if (item is null || fragment.Arguments.Length == 0)
        {
            return;
        }

        item.Arguments += fragment.Arguments;
        events.Add(Event("response.function_call_arguments.delta", e =>
        {
            e.ItemId = item.Id;
            e.OutputIndex = IndexOf(item);
            e.Delta = fragment.Arguments;
        }));
    }

    private void FinishStreamedCall(ResponseItem item, List<ResponseStreamEvent> events)
    {
        var index = IndexOf(item);
        if (string.IsNullOrEmpty(item.Arguments))
        {
            item.Arguments = "{}";
        }

        Complete(item, index, item.Arguments, events);
    }

    private void AddCustomCall(FunctionCallContent call, string arguments, List<ResponseStreamEvent> events)
    {
        string input;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(arguments);
            input = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("input", out var i) &&
                i.ValueKind == System.Text.Json.JsonValueKind.String
                ? i.GetString()!
                : arguments;
        }
        catch (System.Text.Json.JsonException)
        {
            input = arguments;
        }

        var item = new ResponseItem { Id = NewId("ctc_"), Type = "custom_tool_call", Status = "in_progress", CallId = call.CallId, Name = call.Name, Input = "" };
        var index = Open(item, events);
        item.Input = input;
        AddWhole(item, index, input, events);
    }

    /// <summary>A call whose text (function arguments, a custom tool's input) is whole: one delta with all of it, then done.</summary>
    private void AddWhole(ResponseItem item, int index, string text, List<ResponseStreamEvent> events)
    {
        events.Add(Event(CallEvents(item) + ".delta", e =>
        {
            e.ItemId = item.Id;
            e.OutputIndex = index;
            e.Delta = text;
        }));
        Complete(item, index, text, events);
    }

    /// <summary>A call's text is done, and so is its item.</summary>
    private void Complete(ResponseItem item, int index, string text, List<ResponseStreamEvent> events)
    {
        var custom = item.Type == "custom_tool_call";
        events.Add(Event(CallEvents(item) + ".done", e =>
        {
            e.ItemId = item.Id;
            e.OutputIndex = index;
            if (custom)
            {
                e.Input = text;
            }
            else
            {
                e.Arguments = text;
            }
        }));
        item.Status = "completed";
        events.Add(ItemDone(item, index));
    }

    private static string CallEvents(ResponseItem item) =>
        item.Type == "custom_tool_call" ? "response.custom_tool_call_input" : "response.function_call_arguments";

    /// <summary>Closes what is open and settles status, usage and incomplete_details; the terminal event last.</summary>
    public List<ResponseStreamEvent> Finish(ChatFinishReason? finishReason = null, UsageDetails? usage = null)
    {
        var events = new List<ResponseStreamEvent>();
        CloseReasoning(events);
        CloseMessage(events);
        _finishReason = finishReason?.Value ?? _finishReason;
        _usage = usage ?? _usage;
        if (_usage is { } u)
        {
            response.Usage = new ResponseUsage
            {
                InputTokens = u.InputTokenCount ?? 0,
                OutputTokens = u.OutputTokenCount ?? 0,
                TotalTokens = u.TotalTokenCount ?? (u.InputTokenCount ?? 0) + (u.OutputTokenCount ?? 0),
                InputTokensDetails = new InputTokensDetails { CachedTokens = u.CachedInputTokenCount ?? 0 },
                OutputTokensDetails = new OutputTokensDetails { ReasoningTokens = u.ReasoningTokenCount ?? 0 },
            };
        }

        if (_finishReason is "length" or "content_filter")
        {
            response.Status = "incomplete";
            response.IncompleteDetails = new IncompleteDetails { Reason = _finishReason == "length" ? "max_output_tokens" : "content_filter" };
            events.Add(Event("response.incomplete", e => e.Response = response));
        }
        else
        {
            response.Status = "completed";
            events.Add(Event("response.completed", e => e.Response = response));
        }

        return events;
    }

    /// <summary>The stream broke after it started: the failure travels as <c>response.failed</c>.</summary>
    public ResponseStreamEvent Fail(string code, string message)
    {
        response.Status = "failed";
        response.Error = new ResponseError { Code = code, Message = message };
        return Event("response.failed", e => e.Response = response);
    }

    /// <summary>A whole (non-streamed) chat response.</summary>
    public void AddAll(ChatResponse chat)
    {
        var ignored = new List<ResponseStreamEvent>();
        foreach (var content in chat.Messages.SelectMany(m => m.Contents))
        {
            Add(content, ignored);
        }

        Finish(chat.FinishReason, chat.Usage);
    }

    private int Open(ResponseItem item, List<ResponseStreamEvent> events)
    {
        response.Output.Add(item);
        var index = response.Output.Count - 1;
        var snapshot = new ResponseItem
        {
            Id = item.Id, Type = item.Type, Status = item.Status, Role = item.Role, CallId = item.CallId, Name = item.Name,
            Arguments = item.Arguments, Input = item.Input, Content = item.Content is null ? null : [], Summary = item.Summary is null ? null : [],
        };
        events.Add(Event("response.output_item.added", e =>
        {
            e.OutputIndex = index;
            e.Item = snapshot;
        }));
        return index;
    }

    private int IndexOf(ResponseItem item) => response.Output.IndexOf(item);

    private void CloseMessage(List<ResponseStreamEvent> events)
    {
        if (_message is not { } message)
        {
            return;
        }

        var index = IndexOf(message);
        var part = ResponseContentPart.OutputText(_text!.ToString());
        message.Content!.Add(part);
        message.Status = "completed";
        events.Add(PartEvent("response.output_text.done", message, index, e =>
        {
            e.Text = part.Text;
            e.Logprobs = [];
        }));
        events.Add(PartEvent("response.content_part.done", message, index, e => e.Part = part));
        events.Add(ItemDone(message, index));
        _message = null;
    }

    private void CloseReasoning(List<ResponseStreamEvent> events)
    {
        if (_reasoning is not { } reasoning)
        {
            return;
        }

        var index = IndexOf(reasoning);
        var part = ResponseContentPart.SummaryText(_reasoningText!.ToString());
        reasoning.Summary!.Add(part);
        events.Add(PartEvent("response.reasoning_summary_text.done", reasoning, index, e => e.Text = part.Text));
        events.Add(PartEvent("response.reasoning_summary_part.done", reasoning, index, e => e.Part = part));
        events.Add(ItemDone(reasoning, index));
        _reasoning = null;
    }

    /// <summary>An event about the one text part of an item: a message's content part 0, a reasoning item's summary part 0.</summary>
    private ResponseStreamEvent PartEvent(string type, ResponseItem item, int index, Action<ResponseStreamEvent> fill) => Event(type, e =>
    {
        e.ItemId = item.Id;
        e.OutputIndex = index;
        if (item.Type == "reasoning")
        {
            e.SummaryIndex = 0;
        }
        else
        {
            e.ContentIndex = 0;
        }

        fill(e);
    });

    private ResponseStreamEvent ItemDone(ResponseItem item, int index) => Event("response.output_item.done", e =>
    {
        e.OutputIndex = index;
        e.Item = item;
    });

    private ResponseStreamEvent Event(string type, Action<ResponseStreamEvent> fill)
    {
        var e = new ResponseStreamEvent { Type = type, SequenceNumber = _sequence++ };
        fill(e);
        return e;
    }

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");
}
