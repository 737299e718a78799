namespace AbstractCore.TestKit.FakeOllama;

/// <summary>
/// One scripted answer of <see cref="FakeOllamaUpstream"/> to <c>POST /api/chat</c>, served as one JSON object or
/// as NDJSON lines depending on the request's <c>stream</c> (absent means streamed, as in Ollama).
/// </summary>
public abstract record OllamaReply
{
    private protected OllamaReply()
    {
    }

    /// <summary>An assistant answer, optionally preceded by <c>thinking</c>. Streamed, both are split into several lines.</summary>
    public static OllamaReply Text(string content, string doneReason = "stop", string? thinking = null, int promptEvalCount = 11, int evalCount = 7)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(doneReason);
        return new OllamaTextReply(content, doneReason, thinking, promptEvalCount, evalCount);
    }

    /// <summary>One or several tool calls in one message, complete (Ollama does not stream arguments in pieces).</summary>
    public static OllamaReply ToolCalls(params OllamaFakeToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("At least one tool call is needed.", nameof(calls));
        }

        return new OllamaToolCallsReply([.. calls], 20, 9);
    }

    /// <summary>An HTTP error with Ollama's body <c>{"error":"…"}</c>.</summary>
    public static OllamaReply Error(int status, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new OllamaErrorReply(status, message);
    }

    /// <summary>Streamed: the content lines, then a line <c>{"error":"…"}</c> and the end of the body (HTTP 200 already sent).
    /// Not streamed: HTTP 500 with the error.</summary>
    public static OllamaReply ErrorMidStream(string contentBefore, string message)
    {
        ArgumentNullException.ThrowIfNull(contentBefore);
        ArgumentNullException.ThrowIfNull(message);
        return new OllamaMidStreamErrorReply(contentBefore, message);
    }

    /// <summary>Streamed: the content lines, then nothing more until the client aborts (no done line).</summary>
    public static OllamaReply StallAfter(string contentBefore)
    {
        ArgumentNullException.ThrowIfNull(contentBefore);
        return new OllamaStallReply(contentBefore);
    }

    /// <summary>Never answers until the client aborts the request or the fake is disposed.</summary>
    public static OllamaReply Hang() => OllamaHangReply.Instance;
}

/// <summary>A tool call the fake asks for; <paramref name="Arguments"/> is a JSON object, sent as an object (not a string).
/// <paramref name="Id"/> is sent only when given (newer Ollama versions send one).</summary>
public sealed record OllamaFakeToolCall(string Name, string Arguments, string? Id = null);

internal sealed record OllamaTextReply(string Content, string DoneReason, string? Thinking, int PromptEvalCount, int EvalCount) : OllamaReply;

internal sealed record OllamaToolCallsReply(IReadOnlyList<OllamaFakeToolCall> Calls, int PromptEvalCount, int EvalCount) : OllamaReply;

internal sealed record OllamaErrorReply(int Status, string Message) : OllamaReply;

internal sealed record OllamaMidStreamErrorReply(string ContentBefore, string Message) : OllamaReply;

internal sealed record OllamaStallReply(string ContentBefore) : OllamaReply;

internal sealed record OllamaHangReply : OllamaReply
{
    public static readonly OllamaHangReply Instance = new();
}
