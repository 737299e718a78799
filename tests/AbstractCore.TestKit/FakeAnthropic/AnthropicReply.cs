namespace AbstractCore.TestKit;

/// <summary>
/// One scripted answer of <see cref="FakeAnthropicUpstream"/> to <c>POST /v1/messages</c>: served as one
/// <c>message</c> JSON, or as the SSE event sequence of the Messages API when the request has <c>"stream":true</c>.
/// Usage numbers can be changed with a <c>with</c> expression.
/// </summary>
public abstract record AnthropicReply
{
    private protected AnthropicReply()
    {
    }

    /// <summary>A message made of these content blocks.</summary>
    public static AnthropicMessageReply Message(string stopReason, params AnthropicReplyBlock[] blocks)
    {
        ArgumentNullException.ThrowIfNull(stopReason);
        ArgumentNullException.ThrowIfNull(blocks);
        return new AnthropicMessageReply([.. blocks], stopReason);
    }

    /// <summary>A text answer, optionally after a signed thinking block.</summary>
    public static AnthropicMessageReply Text(string text, string stopReason = "end_turn", string? thinking = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return thinking is null
            ? Message(stopReason, AnthropicReplyBlock.Text(text))
            : Message(stopReason, AnthropicReplyBlock.Thinking(thinking), AnthropicReplyBlock.Text(text));
    }

    /// <summary>One or several tool_use blocks (stop_reason <c>tool_use</c>); <c>input</c> is given as JSON text.</summary>
    public static AnthropicMessageReply ToolUse(params AnthropicReplyBlock[] toolUses)
    {
        ArgumentNullException.ThrowIfNull(toolUses);
        if (toolUses.Length == 0)
        {
            throw new ArgumentException("At least one tool_use block is needed.", nameof(toolUses));
        }

        return Message("tool_use", toolUses);
    }

    /// <summary>An HTTP error with Anthropic's body <c>{"type":"error","error":{"type","message"}}</c>.</summary>
    /// <param name="headers">Extra response headers, e.g. <c>retry-after</c>.</param>
    public static AnthropicReply Error(int status, string type, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(message);
        return new AnthropicErrorReply(status, type, message, headers);
    }

    /// <summary>Streamed: message_start, a text block with <paramref name="textBefore"/>, then an <c>error</c> event and
    /// the end of the body (as Anthropic does when it fails mid-stream). Not streamed: the error as HTTP 529/500.</summary>
    public static AnthropicReply StreamError(string type, string message, string textBefore = "partial")
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(textBefore);
        return new AnthropicStreamErrorReply(type, message, textBefore);
    }

    /// <summary>Any status, content type and body, sent as is (also for streaming requests).</summary>
    public static AnthropicReply Raw(int status, string contentType, string body)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        return new AnthropicRawReply(status, contentType, body);
    }
}

/// <summary>A successful message. Streamed, text and thinking come in several deltas and tool input in several
/// <c>input_json_delta</c> fragments (the first one empty, as Anthropic sends it).</summary>
public sealed record AnthropicMessageReply(IReadOnlyList<AnthropicReplyBlock> Blocks, string StopReason) : AnthropicReply
{
    public int InputTokens { get; init; } = 21;
    public int OutputTokens { get; init; } = 9;
    public int CacheReadInputTokens { get; init; }
    public int CacheCreationInputTokens { get; init; }

    /// <summary>Streamed: the fake stops after the first non-empty tool-input fragment until this completes (a test releases
    /// it once that fragment has reached the client).</summary>
    public Task? HoldAfterFirstFragment { get; init; }

    /// <summary>How many non-empty tool-input fragments are sent before the stream waits for <see cref="HoldAfterFirstFragment"/>.</summary>
    public int FragmentsBeforeHold { get; init; } = 1;
}

/// <summary>One content block of a scripted message; <paramref name="Value"/> is the text, the thinking, or the tool input JSON.</summary>
public sealed record AnthropicReplyBlock(string Type, string Value, string? Id = null, string? Name = null, string? Signature = null)
{
    public static AnthropicReplyBlock Text(string text) => new("text", text);

    public static AnthropicReplyBlock Thinking(string thinking, string signature = "sig-fake-0123456789") =>
        new("thinking", thinking, Signature: signature);

    /// <param name="input">The tool input as JSON object text; it is sent as an object, never as a string.</param>
    public static AnthropicReplyBlock ToolUse(string id, string name, string input) => new("tool_use", input, id, name);
}

internal sealed record AnthropicErrorReply(int Status, string Type, string ErrorMessage, IReadOnlyDictionary<string, string>? Headers) : AnthropicReply;

internal sealed record AnthropicStreamErrorReply(string Type, string ErrorMessage, string TextBefore) : AnthropicReply;

internal sealed record AnthropicRawReply(int Status, string ContentType, string Body) : AnthropicReply;
