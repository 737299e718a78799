using System.Buffers;
using System.Text;
using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.Chat.Streaming;
using Microsoft.Extensions.AI;

namespace AbstractCore.Messages;

/// <summary>
/// Tells an answer from the gateway's event model (M.E.AI updates, with <see cref="ToolCallFragment"/>s for tool-call
/// arguments as they arrive) in Anthropic's Messages shape: as the stream's events (<see cref="Start"/>, <see cref="Add(ChatResponseUpdate)"/>,
/// <see cref="Finish"/> or <see cref="Fail"/>), each written to the output at once, or as one <c>message</c> object
/// (<see cref="WriteMessage"/>). Blocks open and close in the order their content arrives; a tool call's arguments go out
/// as one <c>input_json_delta</c> per upstream fragment.
/// </summary>
public sealed class MessageAssembler(string model, long estimatedInputTokens) : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>event: NAME\ndata: </c> per event name (a handful), built once.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> Prefixes = new(StringComparer.Ordinal);

    private readonly List<Block> _blocks = [];
    private readonly Dictionary<string, Block> _calls = new(StringComparer.Ordinal);
    private Block? _open;
    private ChatFinishReason? _finish;
    private UsageDetails? _usage;
    private Utf8JsonWriter? _writer;
    private IBufferWriter<byte>? _output;

    public string Id { get; } = MessageIds.NewMessage();

    /// <summary><c>message_start</c> (input tokens as estimated: OpenAI-style upstreams report usage only at the end) and a first ping.</summary>
    public void Start(IBufferWriter<byte> output)
    {
        _output = output;
        var w = Begin("message_start");
        w.WritePropertyName("message");
        w.WriteStartObject();
        WriteHead(w);
        w.WriteStartArray("content");
        w.WriteEndArray();
        w.WriteNull("stop_reason");
        w.WriteNull("stop_sequence");
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", estimatedInputTokens);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteNumber("output_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
        End();
        Ping();
    }

    public void Dispose() => _writer?.Dispose();

    /// <summary>A keep-alive while the upstream is silent.</summary>
    public void Ping()
    {
        Begin("ping");
        End();
    }

    /// <summary>One update's events (none for a role-only or usage-only update).</summary>
    public void Add(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _finish = update.FinishReason ?? _finish;
        foreach (var content in update.Contents)
        {
            Add(content);
        }
    }

    /// <summary>Closes the open block, then <c>message_delta</c> (stop reason, usage) and <c>message_stop</c>.</summary>
    public void Finish()
    {
        Close();
        var w = Begin("message_delta");
        w.WriteStartObject("delta");
        w.WriteString("stop_reason", StopReason());
        w.WriteNull("stop_sequence");
        w.WriteEndObject();
        WriteUsage(w);
        End();
        Begin("message_stop");
        End();
    }

    /// <summary>The stream's end after a failure: Anthropic's <c>error</c> event (there is no <c>message_stop</c>).</summary>
    public void Fail(string type, string message)
    {
        var w = Begin("error");
        w.WriteStartObject("error");
        w.WriteString("type", type);
        w.WriteString("message", message);
        w.WriteEndObject();
        End();
    }

    /// <summary>The whole answer as Anthropic's <c>message</c> object: thinking, then text, then tool_use blocks.</summary>
    public void WriteMessage(ChatResponse response, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(response);
        _finish = response.FinishReason;
        _usage = response.Usage;
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            Add(content);
        }

        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        WriteHead(w);
        w.WriteStartArray("content");
        foreach (var block in _blocks.OrderBy(b => b.Kind))
        {
            WriteBlock(w, block, whole: true);
        }

        w.WriteEndArray();
        w.WriteString("stop_reason", StopReason());
        w.WriteNull("stop_sequence");
        WriteUsage(w);
        w.WriteEndObject();
    }

    private void Add(AIContent content)
    {
        switch (content)
        {
            case TextReasoningContent r:
                if (!string.IsNullOrEmpty(r.Text))
                {
                    Delta(Open(BlockKind.Thinking), "thinking_delta", "thinking", r.Text);
                }

                if (!string.IsNullOrEmpty(r.ProtectedData))
                {
                    var block = Open(BlockKind.Thinking);
                    block.Signature = r.ProtectedData;
                    Delta(block, "signature_delta", "signature", r.ProtectedData);
                }

                break;
            case TextContent t when !string.IsNullOrEmpty(t.Text):
                Delta(Open(BlockKind.Text), "text_delta", "text", t.Text);
                break;
            case ToolCallFragment fragment:
                if (!_calls.TryGetValue(fragment.CallId, out var call))
                {
                    call = Open(BlockKind.ToolUse, fragment.CallId, fragment.Name ?? "");
                }

                if (fragment.Arguments.Length > 0)
                {
                    Delta(call, "input_json_delta", "partial_json", fragment.Arguments);
                }

                break;
            case StreamedFunctionCallContent streamed when _calls.TryGetValue(streamed.CallId, out var done):
                if (done == _open)
                {
                    Close();
                }

                break;
            case FunctionCallContent whole when !_calls.ContainsKey(whole.CallId):
            {
                var arguments = ChatCompletionMapper.ToToolCall(whole).Function!.Arguments ?? "{}";
                Delta(Open(BlockKind.ToolUse, whole.CallId, whole.Name), "input_json_delta", "partial_json", arguments);
                Close();
                break;
            }

            case UsageContent usage:
                _usage = usage.Details;
                break;
        }
    }

    /// <summary>The block content of this kind goes to: the open one if it matches (text and thinking continue), else a new one.</summary>
    private Block Open(BlockKind kind, string? callId = null, string? name = null)
    {
        if (_open is { } open && open.Kind == kind && kind != BlockKind.ToolUse)
        {
            return open;
        }

        Close();
        var block = new Block(kind, _blocks.Count) { Id = kind == BlockKind.ToolUse ? MessageIds.ToolUse(callId) : null, Name = name };
        _blocks.Add(block);
        if (callId is not null)
        {
            _calls[callId] = block;
        }

        _open = block;
        if (_output is not null)
        {
            var w = Begin("content_block_start");
            w.WriteNumber("index", block.Index);
            w.WritePropertyName("content_block");
            WriteBlock(w, block, whole: false);
            End();
        }

        return block;
    }

    private void Close()
    {
        if (_open is { } open && _output is not null)
        {
            var w = Begin("content_block_stop");
            w.WriteNumber("index", open.Index);
            End();
        }

        _open = null;
    }

    private void Delta(Block block, string type, string field, string text)
    {
        if (field != "signature")
        {
            block.Text.Append(text);
        }

        if (_output is null)
        {
            return;
        }

        var w = Begin("content_block_delta");
        w.WriteNumber("index", block.Index);
        w.WriteStartObject("delta");
        w.WriteString("type", type);
        w.WriteString(field, text);
        w.WriteEndObject();
        End();
    }

    /// <summary>A block as <c>content_block_start</c> opens it (empty) or as the message holds it (<paramref name="whole"/>).</summary>
    private static void WriteBlock(Utf8JsonWriter w, Block block, bool whole)
    {
        w.WriteStartObject();
        switch (block.Kind)
        {
            case BlockKind.Thinking:
                w.WriteString("type", "thinking");
                w.WriteString("thinking", whole ? block.Text.ToString() : "");
                w.WriteString("signature", whole ? block.Signature ?? "" : "");
                break;
            case BlockKind.Text:
                w.WriteString("type", "text");
                w.WriteString("text", whole ? block.Text.ToString() : "");
                break;
            default:
                w.WriteString("type", "tool_use");
                w.WriteString("id", block.Id);
                w.WriteString("name", block.Name);
                w.WritePropertyName("input");
                if (whole)
                {
                    WriteInput(w, block.Text.ToString());
                }
                else
                {
                    w.WriteStartObject();
                    w.WriteEndObject();
                }

                break;
        }

        w.WriteEndObject();
    }

    /// <summary>The arguments as the <c>input</c> object; arguments that are not a JSON object are kept under <c>arguments</c>.</summary>
    private static void WriteInput(Utf8JsonWriter w, string arguments)
    {
        try
        {
            using var doc = JsonDocument.Parse(arguments.Length == 0 ? "{}" : arguments);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                doc.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
        }

        w.WriteStartObject();
        w.WriteString("arguments", arguments);
        w.WriteEndObject();
    }

    private void WriteHead(Utf8JsonWriter w)
    {
        w.WriteString("id", Id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", model);
    }

    /// <summary>Usage as Anthropic counts it: input without the cached tokens, which it reports apart.</summary>
    private void WriteUsage(Utf8JsonWriter w)
    {
        var cached = _usage?.CachedInputTokenCount ?? 0;
        var input = _usage?.InputTokenCount is { } reported ? reported - cached : estimatedInputTokens;
        var output = _usage?.OutputTokenCount ?? EstimatedOutput();
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", Math.Max(0, input));
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", cached);
        w.WriteNumber("output_tokens", output);
        w.WriteEndObject();
    }

    private long EstimatedOutput() => TokenEstimate.OfChars(_blocks.Sum(b => (long)b.Text.Length));

    private string StopReason() => _finish switch
    {
        _ when _finish == ChatFinishReason.Length => "max_tokens",
        _ when _finish == ChatFinishReason.ContentFilter => "refusal",
        _ when _finish == ChatFinishReason.ToolCalls || _blocks.Any(b => b.Kind == BlockKind.ToolUse) => "tool_use",
        _ => "end_turn",
    };

    private Utf8JsonWriter Begin(string name)
    {
        var output = _output!;
        output.Write(Prefixes.GetOrAdd(name, static n => Encoding.UTF8.GetBytes("event: " + n + "\ndata: ")));
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(output, WriterOptions);
        }
        else
        {
            _writer.Reset(output);
        }

        _writer.WriteStartObject();
        _writer.WriteString("type", name);
        return _writer;
    }

    private void End()
    {
        _writer!.WriteEndObject();
        _writer.Flush();
        _output!.Write("\n\n"u8);
    }

    private enum BlockKind
    {
        Thinking,
        Text,
        ToolUse,
    }

    private sealed class Block(BlockKind kind, int index)
    {
        public BlockKind Kind { get; } = kind;
        public int Index { get; } = index;
        public StringBuilder Text { get; } = new();
        public string? Id { get; init; }
        public string? Name { get; init; }
        public string? Signature { get; set; }
    }
}
