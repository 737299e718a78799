namespace AbstractCore.TestKit;

/// <summary>
/// One scripted answer of <see cref="FakeOpenAIUpstream"/> to <c>POST /v1/chat/completions</c>.
/// The same script is served as one <c>chat.completion</c> JSON or as an SSE stream, depending on the request's
/// <c>stream</c> flag.
/// </summary>
public abstract record FakeReply
{
    private protected FakeReply()
    {
    }

    /// <summary>An assistant text answer, optionally with <c>reasoning_content</c>.</summary>
    public static FakeReply Text(string content, string finishReason = "stop", string? reasoning = null, int promptTokens = 11, int completionTokens = 7)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(finishReason);
        return new TextReply(content, finishReason, reasoning, promptTokens, completionTokens);
    }

    /// <summary>One or several (parallel) tool calls; <c>content</c> is JSON null and finish_reason is <c>tool_calls</c>.</summary>
    public static FakeReply ToolCalls(params FakeToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("At least one tool call is needed.", nameof(calls));
        }

        return new ToolCallsReply([.. calls]);
    }

    /// <summary>
    /// A streamed tool call that stops after its first argument fragment until <paramref name="release"/> completes: a
    /// test that waits for that fragment before releasing proves it was forwarded while the upstream was still sending.
    /// </summary>
    public static FakeReply HeldToolCall(Task release, FakeToolCall call) => new ToolCallsReply([call], release);

    /// <summary>
    /// A streamed tool call that stops after its first <paramref name="fragmentsBeforeHold"/> argument fragments until
    /// <paramref name="release"/> completes: a client that sees that many fragments before releasing proves the gateway
    /// forwards each one as it arrives (the arguments are split in at least 3 fragments, so some come after the hold).
    /// </summary>
    public static FakeReply HeldToolCall(Task release, FakeToolCall call, int fragmentsBeforeHold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentsBeforeHold, 1);
        return new ToolCallsReply([call], release) { FragmentsBeforeHold = fragmentsBeforeHold };
    }

    /// <summary>An HTTP error with the OpenAI error envelope <c>{"error":{"message","type","param","code"}}</c>.</summary>
    /// <param name="headers">Extra response headers, e.g. <c>Retry-After</c>.</param>
    public static FakeReply Error(int status, string message, string type = "invalid_request_error", string? code = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(type);
        return new ErrorReply(status, message, type, code, headers);
    }

    /// <summary>Any status, content type and body, sent as is (also for streaming requests).</summary>
    public static FakeReply Raw(int status, string contentType, string body)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        ArgumentNullException.ThrowIfNull(body);
        return new RawReply(status, contentType, body);
    }

    /// <summary>Never answers until the client aborts the request or the fake is disposed.</summary>
    public static FakeReply Hang() => HangReply.Instance;

    /// <summary>
    /// Streamed: the role chunk, then <paramref name="chunksBeforeCut"/> content chunks of <paramref name="content"/>, then the
    /// connection is aborted without a final chunk or <c>[DONE]</c>. Not streamed: the connection is aborted at once.
    /// </summary>
    public static FakeReply CutStream(string content, int chunksBeforeCut)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(chunksBeforeCut);
        return new CutStreamReply(content, chunksBeforeCut);
    }

    /// <summary>
    /// Streamed: the role chunk, then <paramref name="chunksBeforeStall"/> content chunks of <paramref name="content"/>, then
    /// silence, the connection left open, until the client aborts the request or the fake is disposed. With
    /// <paramref name="continuousUsage"/> and a request asking <c>stream_options.include_usage</c>, each content chunk
    /// carries the usage so far (prompt 11, completion = chunks sent), as vLLM's <c>continuous_usage_stats</c> does.
    /// Not streamed: never answers, as <see cref="Hang"/>.
    /// </summary>
    public static FakeReply Stall(string content, int chunksBeforeStall, bool continuousUsage = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(chunksBeforeStall);
        return new StallReply(content, chunksBeforeStall, continuousUsage);
    }

    /// <summary><paramref name="then"/>, counted in <paramref name="gauge"/> while it runs: from the request's arrival until
    /// just before the answer's first byte, so the gauge never counts a request its client may already see answered.</summary>
    public static FakeReply Tracked(FakeConcurrency gauge, FakeReply then)
    {
        ArgumentNullException.ThrowIfNull(gauge);
        ArgumentNullException.ThrowIfNull(then);
        return new TrackedReply(gauge, then);
    }

    /// <summary><paramref name="then"/> sent gzip-encoded (<c>Content-Encoding: gzip</c>) whatever the request's
    /// <c>Accept-Encoding</c>, as some servers do; a stream arrives compressed in one piece at its end.</summary>
    public static FakeReply Gzipped(FakeReply then)
    {
        ArgumentNullException.ThrowIfNull(then);
        return new GzippedReply(then);
    }

    /// <summary>A text answer whose stream sends one word every <paramref name="every"/>: never silent that long, however long in total.</summary>
    public static FakeReply Paced(string content, TimeSpan every)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new TextReply(content, "stop", null, 11, 7) { Pace = every };
    }

    /// <summary>Waits <paramref name="delay"/> (abortable by the client) before serving <paramref name="then"/>.</summary>
    public static FakeReply Delayed(TimeSpan delay, FakeReply then)
    {
        ArgumentNullException.ThrowIfNull(then);
        return new DelayedReply(delay, then);
    }
}

/// <summary>A tool call the fake upstream asks for; <paramref name="Arguments"/> is the raw JSON argument string.</summary>
public sealed record FakeToolCall(string Id, string Name, string Arguments);

internal sealed record TextReply(string Content, string FinishReason, string? Reasoning, int PromptTokens, int CompletionTokens) : FakeReply
{
    /// <summary>When streamed, the pause before each content chunk after the first.</summary>
    public TimeSpan Pace { get; init; }
}

internal sealed record ToolCallsReply(IReadOnlyList<FakeToolCall> Calls, Task? HoldAfterFirstFragment = null) : FakeReply
{
    /// <summary>How many argument fragments are sent before the stream waits for <see cref="HoldAfterFirstFragment"/>.</summary>
    public int FragmentsBeforeHold { get; init; } = 1;
}

internal sealed record ErrorReply(int Status, string Message, string Type, string? Code, IReadOnlyDictionary<string, string>? Headers) : FakeReply;

internal sealed record RawReply(int Status, string ContentType, string Body) : FakeReply;

internal sealed record HangReply : FakeReply
{
    public static readonly HangReply Instance = new();
}

internal sealed record CutStreamReply(string Content, int ChunksBeforeCut) : FakeReply;

internal sealed record DelayedReply(TimeSpan Delay, FakeReply Then) : FakeReply;

internal sealed record GzippedReply(FakeReply Then) : FakeReply;

internal sealed record StallReply(string Content, int ChunksBeforeStall, bool ContinuousUsage) : FakeReply;

internal sealed record TrackedReply(FakeConcurrency Gauge, FakeReply Then) : FakeReply;

/// <summary>Requests in flight at a fake upstream (<see cref="FakeReply.Tracked"/>): now, at most, and in all.</summary>
public sealed class FakeConcurrency
{
    private int _current;
    private int _max;
    private int _total;

    public int Current => Volatile.Read(ref _current);

    /// <summary>The most requests that were in flight at once.</summary>
    public int Max => Volatile.Read(ref _max);

    /// <summary>Every request that arrived.</summary>
    public int Total => Volatile.Read(ref _total);

    internal void Enter()
    {
        Interlocked.Increment(ref _total);
        var now = Interlocked.Increment(ref _current);
        int max;
        while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
        {
        }
    }

    internal void Exit() => Interlocked.Decrement(ref _current);
}
