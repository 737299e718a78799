using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit.FakeAzure;

/// <summary>
/// An Azure OpenAI resource's data plane on real Kestrel (127.0.0.1, random port) speaking Azure's wire: <c>POST
/// /openai/deployments/{deployment}/chat/completions?api-version=…</c> (JSON, or SSE whose first chunk carries only the
/// prompt filter results, each choice its content filter results, and the usage in a last chunk without choices when
/// <c>stream_options.include_usage</c> asks) and <c>POST /openai/deployments/{deployment}/embeddings?api-version=…</c>.
/// Azure's own answers to what it refuses: 401 without the right <c>api-key</c> (or bearer token), 404
/// <c>DeploymentNotFound</c> for a deployment it does not have, 404 <c>Resource not found</c> without <c>api-version</c>.
/// Chat replies are scripted with <see cref="Enqueue"/> (FIFO) and fall back to <see cref="DefaultReply"/>; embeddings are
/// <see cref="VectorFor"/> of each input.
/// </summary>
public sealed partial class FakeAzureOpenAIUpstream : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Categories = ["hate", "self_harm", "sexual", "violence"];

    private readonly ReplyQueue<AzureReply> _replies = new(AzureReply.Text("Hello from the fake Azure OpenAI."));
    private LoopbackServer? _server;
    private long _ids;

    private FakeAzureOpenAIUpstream(string apiKey) => ApiKey = apiKey;

    public static async Task<FakeAzureOpenAIUpstream> StartAsync(string apiKey = "azure-test-key")
    {
        var fake = new FakeAzureOpenAIUpstream(apiKey);
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>: the resource endpoint (<c>AZURE_OPENAI_ENDPOINT</c>).</summary>
    public string Endpoint => Server.Root;

    /// <summary>The key the resource accepts in <c>api-key</c>.</summary>
    public string ApiKey { get; }

    /// <summary>An Entra ID access token the resource accepts as <c>Authorization: Bearer</c>; none by default.</summary>
    public string? AcceptedToken { get; set; }

    /// <summary>The deployments the resource has; any other is a 404 <c>DeploymentNotFound</c>.</summary>
    public List<string> Deployments { get; } = ["gpt-4o", "o3-mini", "text-embedding-3-small"];

    /// <summary>The model a deployment runs, named in answers.</summary>
    public string ModelName { get; set; } = "gpt-4o-2024-11-20";

    public AzureReply DefaultReply
    {
        get => _replies.Default;
        set => _replies.Default = value;
    }

    /// <summary>Every request received so far; <see cref="RecordedRequest.Path"/> includes the query string.</summary>
    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    public RecordedRequest LastChatRequest => Server.Last(r => r.Path.Contains("/chat/completions?", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("The fake Azure OpenAI has received no chat completions request.");

    public RecordedRequest LastEmbeddingsRequest => Server.Last(r => r.Path.Contains("/embeddings?", StringComparison.Ordinal))
        ?? throw new InvalidOperationException("The fake Azure OpenAI has received no embeddings request.");

    public void Enqueue(params AzureReply[] replies) => _replies.Enqueue(replies);

    public void ClearReplies() => _replies.Clear();

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The vector the fake embeds <paramref name="text"/> as: element j is (length + j) / 8 and, for the second
    /// half, negated, so tests know every value exactly (all exact in float32).</summary>
    public static float[] VectorFor(string text, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. Enumerable.Range(0, dimensions).Select(j => (j < dimensions / 2 ? 1 : -1) * (text.Length + j) / 8f)];
    }

    /// <summary>The tokens the fake counts for an embeddings input: its words.</summary>
    public static int TokensOf(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake Azure OpenAI is not started.");

    [GeneratedRegex("^/openai/deployments/(?<deployment>[^/]+)/(?<operation>chat/completions|embeddings)$")]
    private static partial Regex DataPlanePath();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
        var cancellationToken = linked.Token;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            Server.Record(request, (request.Path.Value ?? "/") + request.QueryString.Value, body);

            var match = DataPlanePath().Match(request.Path.Value ?? "");
            if (!HttpMethods.IsPost(request.Method) || !match.Success || string.IsNullOrEmpty(request.Query["api-version"]))
            {
                await WriteErrorAsync(context.Response, 404, "404", "Resource not found", null, cancellationToken).ConfigureAwait(false);
            }
            else if (!Authorized(request))
            {
                await WriteErrorAsync(context.Response, 401, "401",
                    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active " +
                    "subscription and use a correct regional API endpoint for your resource.", null, cancellationToken).ConfigureAwait(false);
            }
            else if (!Deployments.Contains(match.Groups["deployment"].Value))
            {
                await WriteErrorAsync(context.Response, 404, "DeploymentNotFound",
                    "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please " +
                    "wait a moment and try again.", null, cancellationToken).ConfigureAwait(false);
            }
            else if (match.Groups["operation"].Value == "embeddings")
            {
                await EmbedAsync(context.Response, JsonNode.Parse(body)!, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ChatAsync(context.Response, JsonNode.Parse(body)!, _replies.Next(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException &&
                                   (context.RequestAborted.IsCancellationRequested || Server.IsShuttingDown))
        {
            context.Abort();
        }
    }

    private bool Authorized(HttpRequest request) =>
        request.Headers["api-key"] == ApiKey ||
        (AcceptedToken is { } token && request.Headers.Authorization == "Bearer " + token);

    private async Task ChatAsync(HttpResponse response, JsonNode request, AzureReply reply, CancellationToken cancellationToken)
    {
        switch (reply)
        {
            case AzureErrorReply error:
                await WriteErrorAsync(response, error.Status, error.Code, error.Message, error.Headers, cancellationToken).ConfigureAwait(false);
                return;
            case AzureContentFilterReply filter:
                await WriteJsonAsync(response, 400, w => ContentFilterError(w, filter), cancellationToken).ConfigureAwait(false);
                return;
        }

        var id = "chatcmpl-azure" + Interlocked.Increment(ref _ids).ToString(CultureInfo.InvariantCulture);
        if ((bool?)request["stream"] != true)
        {
            await WriteJsonAsync(response, 200, w => Completion(w, id, reply), cancellationToken).ConfigureAwait(false);
            return;
        }

        response.ContentType = "text/event-stream";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await SendAsync(response, w => PromptFilterChunk(w), cancellationToken).ConfigureAwait(false);
        await SendAsync(response, w => Chunk(w, id, created, d => d.WriteString("role", "assistant"), null), cancellationToken).ConfigureAwait(false);
        var (promptTokens, completionTokens) = (20, 9);
        switch (reply)
        {
            case AzureTextReply text:
                (promptTokens, completionTokens) = (text.PromptTokens, text.CompletionTokens);
                foreach (var word in Regex.Split(text.Content, "(?<= )"))
                {
                    await SendAsync(response, w => Chunk(w, id, created, d => d.WriteString("content", word), null), cancellationToken).ConfigureAwait(false);
                }

                await SendAsync(response, w => Chunk(w, id, created, null, text.FinishReason), cancellationToken).ConfigureAwait(false);
                break;
            case AzureToolCallsReply tools:
                for (var i = 0; i < tools.Calls.Count; i++)
                {
                    var (index, call) = (i, tools.Calls[i]);
                    await SendAsync(response, w => Chunk(w, id, created, d => ToolCallDelta(d, index, call, ""), null), cancellationToken).ConfigureAwait(false);
                    foreach (var fragment in Fragments(call.Arguments))
                    {
                        await SendAsync(response, w => Chunk(w, id, created, d => ToolCallDelta(d, index, null, fragment), null), cancellationToken).ConfigureAwait(false);
                        if (tools.HoldAfterEachFragment is { } hold)
                        {
                            await hold.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                await SendAsync(response, w => Chunk(w, id, created, null, "tool_calls"), cancellationToken).ConfigureAwait(false);
                break;
        }

        if ((bool?)request["stream_options"]?["include_usage"] == true)
        {
            await SendAsync(response, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("choices");
                w.WriteEndArray();
                w.WriteNumber("created", created);
                w.WriteString("id", id);
                w.WriteString("model", ModelName);
                w.WriteString("object", "chat.completion.chunk");
                Usage(w, promptTokens, completionTokens);
                w.WriteEndObject();
            }, cancellationToken).ConfigureAwait(false);
        }

        await response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An argument string in pieces of up to 5 characters, as Azure streams them.</summary>
    public static List<string> Fragments(string arguments) =>
        [.. Enumerable.Range(0, (arguments.Length + 4) / 5).Select(i => arguments.Substring(i * 5, Math.Min(5, arguments.Length - (i * 5))))];

    private void Completion(Utf8JsonWriter w, string id, AzureReply reply)
    {
        var (promptTokens, completionTokens) = reply is AzureTextReply t ? (t.PromptTokens, t.CompletionTokens) : (20, 9);
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        FilterResults(w, "content_filter_results", null);
        w.WriteString("finish_reason", reply is AzureTextReply text ? text.FinishReason : "tool_calls");
        w.WriteNumber("index", 0);
        w.WriteNull("logprobs");
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        if (reply is AzureTextReply answer)
        {
            w.WriteString("content", answer.Content);
        }
        else
        {
            w.WriteNull("content");
            w.WriteStartArray("tool_calls");
            foreach (var call in ((AzureToolCallsReply)reply).Calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteNull("refusal");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNumber("created", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        w.WriteString("id", id);
        w.WriteString("model", ModelName);
        w.WriteString("object", "chat.completion");
        PromptFilterResults(w);
        w.WriteString("system_fingerprint", "fp_azure");
        Usage(w, promptTokens, completionTokens);
        w.WriteEndObject();
    }

    /// <summary>Azure's first streamed chunk: no choices, the prompt's filter results, empty id and model.</summary>
    private static void PromptFilterChunk(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteEndArray();
        w.WriteNumber("created", 0);
        w.WriteString("id", "");
        w.WriteString("model", "");
        w.WriteString("object", "");
        PromptFilterResults(w);
        w.WriteEndObject();
    }

    private void Chunk(Utf8JsonWriter w, string id, long created, Action<Utf8JsonWriter>? delta, string? finishReason)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        if (finishReason is null)
        {
            FilterResults(w, "content_filter_results", null);
        }
        else
        {
            w.WriteStartObject("content_filter_results");
            w.WriteEndObject();
        }

        w.WriteStartObject("delta");
        delta?.Invoke(w);
        w.WriteEndObject();
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }

        w.WriteNumber("index", 0);
        w.WriteNull("logprobs");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNumber("created", created);
        w.WriteString("id", id);
        w.WriteString("model", ModelName);
        w.WriteString("object", "chat.completion.chunk");
        w.WriteString("system_fingerprint", "fp_azure");
        w.WriteEndObject();
    }

    /// <summary>A call's first delta names it (id, type, name) with empty arguments; later ones carry its index and a fragment.</summary>
    private static void ToolCallDelta(Utf8JsonWriter w, int index, AzureFakeToolCall? announce, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        if (announce is not null)
        {
            w.WriteString("id", announce.Id);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (announce is not null)
        {
            w.WriteString("name", announce.Name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void PromptFilterResults(Utf8JsonWriter w)
    {
        w.WriteStartArray("prompt_filter_results");
        w.WriteStartObject();
        w.WriteNumber("prompt_index", 0);
        FilterResults(w, "content_filter_results", null);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>Azure's per-category results: every category safe, but <paramref name="filtered"/> (category, severity).</summary>
    private static void FilterResults(Utf8JsonWriter w, string name, (string Category, string Severity)? filtered)
    {
        w.WriteStartObject(name);
        foreach (var category in Categories)
        {
            var hit = filtered is { } f && f.Category == category;
            w.WriteStartObject(category);
            w.WriteBoolean("filtered", hit);
            w.WriteString("severity", hit ? filtered!.Value.Severity : "safe");
            w.WriteEndObject();
        }

        w.WriteStartObject("jailbreak");
        w.WriteBoolean("filtered", false);
        w.WriteBoolean("detected", false);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void ContentFilterError(Utf8JsonWriter w, AzureContentFilterReply filter)
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message",
            "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt " +
            "and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766");
        w.WriteNull("type");
        w.WriteString("param", "prompt");
        w.WriteString("code", "content_filter");
        w.WriteNumber("status", 400);
        w.WriteStartObject("innererror");
        w.WriteString("code", "ResponsibleAIPolicyViolation");
        FilterResults(w, "content_filter_result", (filter.Category, filter.Severity));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Usage(Utf8JsonWriter w, int promptTokens, int completionTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("completion_tokens", completionTokens);
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", promptTokens + completionTokens);
        w.WriteEndObject();
    }

    private static async Task EmbedAsync(HttpResponse response, JsonNode request, CancellationToken cancellationToken)
    {
        List<string> inputs = request["input"] is JsonArray items ? [.. items.Select(i => (string)i!)] : [(string)request["input"]!];
        var dimensions = (int?)request["dimensions"] ?? 4;
        var base64 = (string?)request["encoding_format"] == "base64";
        await WriteJsonAsync(response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (var i = 0; i < inputs.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                var vector = VectorFor(inputs[i], dimensions);
                if (base64)
                {
                    var bytes = new byte[vector.Length * sizeof(float)];
                    for (var j = 0; j < vector.Length; j++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vector[j]);
                    }

                    w.WriteBase64String("embedding", bytes);
                }
                else
                {
                    w.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        w.WriteNumberValue(value);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model", "text-embedding-3-small");
            var tokens = inputs.Sum(TokensOf);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(
        HttpResponse response, int status, string code, string message, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        return WriteJsonAsync(response, status, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteEndObject();
        }, cancellationToken);
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One SSE event, flushed at once.</summary>
    private static async Task SendAsync(HttpResponse response, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("data: "u8);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
