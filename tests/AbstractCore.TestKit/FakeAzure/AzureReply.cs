namespace AbstractCore.TestKit.FakeAzure;

/// <summary>
/// One scripted answer of <see cref="FakeAzureOpenAIUpstream"/> to a chat completions call, served as one JSON object or
/// as an SSE stream as the request's <c>stream</c> says.
/// </summary>
public abstract record AzureReply
{
    private protected AzureReply()
    {
    }

    /// <summary>An assistant text answer; streamed, one chunk per word.</summary>
    public static AzureReply Text(string content, string finishReason = "stop", int promptTokens = 11, int completionTokens = 7)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(finishReason);
        return new AzureTextReply(content, finishReason, promptTokens, completionTokens);
    }

    /// <summary>
    /// One or several (parallel) tool calls, finish reason <c>tool_calls</c>. Streamed, each call is announced (id, name, empty
    /// arguments) and its arguments follow in fragments of a few characters, as Azure streams them.
    /// </summary>
    public static AzureToolCallsReply ToolCalls(params AzureFakeToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return calls.Length == 0 ? throw new ArgumentException("At least one tool call is needed.", nameof(calls)) : new AzureToolCallsReply([.. calls]);
    }

    /// <summary>An HTTP error with Azure's body <c>{"error":{"code","message"}}</c> and the given headers.</summary>
    public static AzureReply Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(message);
        return new AzureErrorReply(status, code, message, headers);
    }

    /// <summary>Azure's 429 for a deployment over its token rate limit, with <c>Retry-After</c> and <c>retry-after-ms</c>.</summary>
    public static AzureReply RateLimited(int retryAfterSeconds) => Error(429, "429",
        "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of " +
        $"your current OpenAI S0 pricing tier. Please retry after {retryAfterSeconds} seconds.",
        new Dictionary<string, string>
        {
            ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["retry-after-ms"] = (retryAfterSeconds * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>Azure's 400 for a prompt its content filter refused: <paramref name="category"/> filtered at
    /// <paramref name="severity"/>, the other categories safe.</summary>
    public static AzureReply ContentFilter(string category, string severity)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(severity);
        return new AzureContentFilterReply(category, severity);
    }
}

/// <summary>A tool call the fake asks for; <paramref name="Arguments"/> is the raw JSON argument string.</summary>
public sealed record AzureFakeToolCall(string Id, string Name, string Arguments);

internal sealed record AzureTextReply(string Content, string FinishReason, int PromptTokens, int CompletionTokens) : AzureReply;

public sealed record AzureToolCallsReply(IReadOnlyList<AzureFakeToolCall> Calls) : AzureReply
{
    /// <summary>
    /// Streamed: after each argument fragment the fake sends nothing more until this is released once, so a client that
    /// releases it per fragment it has received proves every fragment reached it before the stream went on (and ended).
    /// </summary>
    public SemaphoreSlim? HoldAfterEachFragment { get; init; }
}

internal sealed record AzureErrorReply(int Status, string Code, string Message, IReadOnlyDictionary<string, string>? Headers) : AzureReply;

internal sealed record AzureContentFilterReply(string Category, string Severity) : AzureReply;
