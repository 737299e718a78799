using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit.FakeOllama;

/// <summary>
/// An Ollama server on real Kestrel (127.0.0.1, random port) speaking Ollama's native wire format:
/// <c>POST /api/chat</c> (one JSON object, or NDJSON lines when <c>stream</c> is true or absent, with text and
/// thinking split across lines, complete tool calls, and a final <c>done</c> line carrying <c>done_reason</c> and
/// the eval counts), <c>GET /api/tags</c>, <c>GET /api/version</c>, <c>POST /api/generate</c> (unload), and Go's
/// plain-text 404 elsewhere.
/// Request bodies are checked the way Ollama's JSON decoding would reject them (arguments must be objects,
/// images base64 strings, <c>think</c> a bool or level…) and answered 400 <c>{"error":…}</c> otherwise.
/// Replies are scripted with <see cref="Enqueue"/> (FIFO) and fall back to <see cref="DefaultReply"/>.
/// </summary>
public sealed partial class FakeOllamaUpstream : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ReplyQueue<OllamaReply> _replies = new(OllamaReply.Text("Hello from the fake Ollama."));
    private LoopbackServer? _server;
    private string? _baseUrl;

    private FakeOllamaUpstream()
    {
    }

    /// <summary>Starts the fake on a free loopback port.</summary>
    public static async Task<FakeOllamaUpstream> StartAsync()
    {
        var fake = new FakeOllamaUpstream();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        fake.Port = fake._server.Port;
        fake._baseUrl = fake._server.Root;
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>: no path, no trailing slash (what <c>OLLAMA_BASE_URL</c> holds).</summary>
    public string BaseUrl => _baseUrl ?? throw new InvalidOperationException("The fake Ollama is not started.");

    /// <summary><c>127.0.0.1:&lt;port&gt;</c>, the legacy <c>OLLAMA_HOST</c> form.</summary>
    public string HostAndPort => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public int Port { get; private set; }

    /// <summary>The <c>created_at</c> of every answer (Go's RFC 3339 with nanoseconds).</summary>
    public DateTimeOffset CreatedAt { get; set; } = new(2025, 6, 1, 12, 30, 45, TimeSpan.Zero);

    /// <summary>Model names listed by <c>GET /api/tags</c>.</summary>
    public List<string> Models { get; } = ["llama3.2:latest"];

    /// <summary>Models that take a thinking level (<c>"think":"low"</c>…); Ollama allows levels only for GPT-OSS (harmony) models
    /// and answers 400 <c>think value "low" is not supported for this model</c> for the others.</summary>
    public ConcurrentBag<string> ThinkLevelModels { get; } = ["gpt-oss:20b", "gpt-oss:120b"];

    /// <summary>Models without the thinking capability: a truthy <c>think</c> is a 400 <c>"name" does not support thinking</c>.
    /// Every other model thinks.</summary>
    public ConcurrentBag<string> NonThinkingModels { get; } = [];

    /// <summary>The reply served when the queue is empty.</summary>
    public OllamaReply DefaultReply
    {
        get => _replies.Default;
        set => _replies.Default = value;
    }

    /// <summary>A snapshot of every request received so far.</summary>
    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    /// <summary>The last <c>POST /api/chat</c> received; throws if there was none.</summary>
    public RecordedRequest LastChatRequest =>
        Server.Last(r => IsChat(r.Method, r.Path))
        ?? throw new InvalidOperationException("The fake Ollama has received no POST /api/chat request.");

    /// <summary>How many chat requests the client aborted before the fake had finished answering them.</summary>
    public int CancelledRequests => Server.CancelledRequests;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake Ollama is not started.");

    /// <summary>Replies served in order to the next chat requests.</summary>
    public void Enqueue(params OllamaReply[] replies) => _replies.Enqueue(replies);

    /// <summary>Drops the scripted replies not served yet, so a test that failed before its upstream call leaves nothing
    /// behind for the next test sharing this fake.</summary>
    public void ClearReplies() => _replies.Clear();

    /// <summary>True as soon as a chat request was aborted by its client; false if none was within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForCancellationAsync(TimeSpan timeout) => Server.WaitForCancellationAsync(timeout);

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Ollama resolves a bare name to its <c>:latest</c> tag.</summary>
    private static bool Has(IEnumerable<string> models, string model)
    {
        var full = model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";
        return models.Any(m => m == model || m == full);
    }

    private static bool IsChat(string method, string path) => HttpMethods.IsPost(method) && path == "/api/chat";

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
        var cancellationToken = linked.Token;
        var finished = false;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var body = Encoding.UTF8.GetString(buffer.ToArray());
            Server.Record(request, path, body);

            if (IsChat(request.Method, path))
            {
                await ChatAsync(context, body, cancellationToken).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(request.Method) && path == "/api/embed")
            {
                await EmbedAsync(context.Response, body, cancellationToken).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(request.Method) && path == "/api/tags")
            {
                await WriteJsonAsync(context.Response, 200, Tags, cancellationToken).ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(request.Method) && path == "/api/generate")
            {
                // With keep_alive 0 and no prompt, Ollama unloads the model and answers done_reason "unload".
                await WriteJsonAsync(context.Response, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("response"u8, ""u8);
                    w.WriteBoolean("done"u8, true);
                    w.WriteString("done_reason"u8, "unload"u8);
                    w.WriteEndObject();
                }, cancellationToken).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(request.Method) && path == "/api/version")
            {
                await WriteJsonAsync(context.Response, 200, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("version"u8, "0.12.6"u8);
                    w.WriteEndObject();
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = 404;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("404 page not found", cancellationToken).ConfigureAwait(false);
            }

            finished = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException &&
                                   (context.RequestAborted.IsCancellationRequested || Server.IsShuttingDown))
        {
            context.Abort();
        }
        finally
        {
            if (!finished && context.RequestAborted.IsCancellationRequested && !Server.IsShuttingDown &&
                IsChat(request.Method, path))
            {
                Server.CountCancelled();
            }
        }
    }

    private async Task ChatAsync(HttpContext context, string body, CancellationToken cancellationToken)
    {
        var (chat, problem) = Validate(body);
        if (problem is not null)
        {
            await WriteErrorAsync(context.Response, 400, problem, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Ollama's own checks, in its order: a level only for harmony (GPT-OSS) models, then thinking at all.
        if (chat.Think == JsonValueKind.String && !Has(ThinkLevelModels, chat.Model))
        {
            var level = (string?)JsonNode.Parse(body)!["think"];
            await WriteErrorAsync(context.Response, 400, $"think value \"{level}\" is not supported for this model", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (chat.Think is JsonValueKind.True or JsonValueKind.String && Has(NonThinkingModels, chat.Model))
        {
            await WriteErrorAsync(context.Response, 400, $"\"{chat.Model}\" does not support thinking", cancellationToken).ConfigureAwait(false);
            return;
        }

        var reply = _replies.Next();
        switch (reply)
        {
            case OllamaHangReply:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                return;
            case OllamaErrorReply error:
                await WriteErrorAsync(context.Response, error.Status, error.Message, cancellationToken).ConfigureAwait(false);
                return;
            case OllamaMidStreamErrorReply midStream when !chat.Stream:
                await WriteErrorAsync(context.Response, 500, midStream.Message, cancellationToken).ConfigureAwait(false);
                return;
        }

        if (chat.Stream)
        {
            await StreamAsync(context.Response, chat.Model, reply, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteJsonAsync(context.Response, 200, w => WriteWhole(w, chat.Model, reply), cancellationToken).ConfigureAwait(false);
        }
    }

    private void WriteWhole(Utf8JsonWriter w, string model, OllamaReply reply)
    {
        switch (reply)
        {
            case OllamaTextReply text:
                WriteLine(w, model, text.Content, text.Thinking, null, text.DoneReason, text.PromptEvalCount, text.EvalCount);
                break;
            case OllamaToolCallsReply calls:
                WriteLine(w, model, "", null, calls.Calls, "stop", calls.PromptEvalCount, calls.EvalCount);
                break;
            default:
                throw new InvalidOperationException($"{reply.GetType().Name} cannot be answered without streaming.");
        }
    }

    private async Task StreamAsync(HttpResponse response, string model, OllamaReply reply, CancellationToken cancellationToken)
    {
        response.StatusCode = 200;
        response.ContentType = "application/x-ndjson";
        var buffer = new ArrayBufferWriter<byte>(256);
        using var w = new Utf8JsonWriter(buffer, WriterOptions);

        async Task Line(Action<Utf8JsonWriter> write)
        {
            buffer.ResetWrittenCount();
            w.Reset(buffer);
            write(w);
            w.Flush();
            buffer.Write("\n"u8);
            await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        async Task Pieces(string text, bool thinking)
        {
            foreach (var piece in Split(text))
            {
                await Line(x => WriteLine(x, model, thinking ? "" : piece, thinking ? piece : null, null, null, 0, 0)).ConfigureAwait(false);
            }
        }

        switch (reply)
        {
            case OllamaTextReply text:
                if (text.Thinking is not null)
                {
                    await Pieces(text.Thinking, thinking: true).ConfigureAwait(false);
                }

                await Pieces(text.Content, thinking: false).ConfigureAwait(false);
                await Line(x => WriteLine(x, model, "", null, null, text.DoneReason, text.PromptEvalCount, text.EvalCount)).ConfigureAwait(false);
                break;
            case OllamaToolCallsReply calls:
                await Line(x => WriteLine(x, model, "", null, calls.Calls, null, 0, 0)).ConfigureAwait(false);
                await Line(x => WriteLine(x, model, "", null, null, "stop", calls.PromptEvalCount, calls.EvalCount)).ConfigureAwait(false);
                break;
            case OllamaMidStreamErrorReply error:
                await Pieces(error.ContentBefore, thinking: false).ConfigureAwait(false);
                await Line(x =>
                {
                    x.WriteStartObject();
                    x.WriteString("error"u8, error.Message);
                    x.WriteEndObject();
                }).ConfigureAwait(false);
                break;
            case OllamaStallReply stall:
                await Pieces(stall.ContentBefore, thinking: false).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"Unknown fake reply {reply.GetType().Name}.");
        }
    }

    /// <summary>Word by word, the spaces kept with the word before them (as tokens arrive).</summary>
    private static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ' && i + 1 < text.Length && text[i + 1] != ' ')
            {
                pieces.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length || pieces.Count == 0)
        {
            pieces.Add(text[start..]);
        }

        return pieces;
    }

    /// <summary>One answer object: a whole answer, a streamed piece (doneReason null) or the final line.</summary>
    private void WriteLine(Utf8JsonWriter w, string model, string content, string? thinking, IReadOnlyList<OllamaFakeToolCall>? calls,
        string? doneReason, int promptEvalCount, int evalCount)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, model);
        w.WriteString("created_at"u8, CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "42Z");
        w.WriteStartObject("message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("content"u8, content);
        if (thinking is not null)
        {
            w.WriteString("thinking"u8, thinking);
        }

        if (calls is not null)
        {
            w.WriteStartArray("tool_calls"u8);
            for (var i = 0; i < calls.Count; i++)
            {
                w.WriteStartObject();
                if (calls[i].Id is { } id)
                {
                    w.WriteString("id"u8, id);
                }

                w.WriteStartObject("function"u8);
                w.WriteNumber("index"u8, i);
                w.WriteString("name"u8, calls[i].Name);
                w.WritePropertyName("arguments"u8);
                using (var arguments = JsonDocument.Parse(calls[i].Arguments))
                {
                    arguments.RootElement.WriteTo(w);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (doneReason is null)
        {
            w.WriteBoolean("done"u8, false);
        }
        else
        {
            w.WriteString("done_reason"u8, doneReason);
            w.WriteBoolean("done"u8, true);
            w.WriteNumber("total_duration"u8, 1_234_567_890);
            w.WriteNumber("load_duration"u8, 12_345_678);
            w.WriteNumber("prompt_eval_count"u8, promptEvalCount);
            w.WriteNumber("prompt_eval_duration"u8, 23_456_789);
            w.WriteNumber("eval_count"u8, evalCount);
            w.WriteNumber("eval_duration"u8, 987_654_321);
        }

        w.WriteEndObject();
    }

    private void Tags(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray("models"u8);
        foreach (var name in Models)
        {
            w.WriteStartObject();
            w.WriteString("name"u8, name);
            w.WriteString("model"u8, name);
            w.WriteString("modified_at"u8, "2025-05-04T10:11:12.123456789+02:00"u8);
            w.WriteNumber("size"u8, 2_019_393_189);
            w.WriteString("digest"u8, "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"u8);
            w.WriteStartObject("details"u8);
            w.WriteString("parent_model"u8, ""u8);
            w.WriteString("format"u8, "gguf"u8);
            w.WriteString("family"u8, "llama"u8);
            w.WriteStartArray("families"u8);
            w.WriteStringValue("llama"u8);
            w.WriteEndArray();
            w.WriteString("parameter_size"u8, "3.2B"u8);
            w.WriteString("quantization_level"u8, "Q4_K_M"u8);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpResponse response, int status, string message, CancellationToken cancellationToken) =>
        WriteJsonAsync(response, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("error"u8, message);
            w.WriteEndObject();
        }, cancellationToken);

    private readonly record struct ChatRequest(string Model, bool Stream, JsonValueKind Think);

    /// <summary>The checks Ollama's Go decoding and handler make before answering, with messages in the same spirit.</summary>
    private static (ChatRequest Chat, string? Problem) Validate(string body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return (default, "invalid character in request body: " + e.Message);
        }

        if (root is not JsonObject request)
        {
            return (default, "json: cannot unmarshal request body into Go value of type api.ChatRequest");
        }

        if (request["model"] is not JsonValue model || model.GetValueKind() != JsonValueKind.String || ((string?)model)!.Length == 0)
        {
            return (default, "model is required");
        }

        var stream = true;
        if (request["stream"] is { } s)
        {
            if (s.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (default, "json: cannot unmarshal stream into Go struct field ChatRequest.stream of type bool");
            }

            stream = (bool)s;
        }

        if (request["messages"] is not JsonArray messages)
        {
            return (default, "json: cannot unmarshal messages into Go struct field ChatRequest.messages of type []api.Message");
        }

        foreach (var node in messages)
        {
            if (MessageProblem(node) is { } problem)
            {
                return (default, problem);
            }
        }

        if (request["think"] is { } think && !(think.GetValueKind() is JsonValueKind.True or JsonValueKind.False ||
                                                (think.GetValueKind() == JsonValueKind.String && (string?)think is "high" or "medium" or "low")))
        {
            return (default, $"invalid think value: {think.ToJsonString()} (must be \"high\", \"medium\", \"low\", true, or false)");
        }

        if (request["format"] is { } format && !(format is JsonObject ||
                                                  (format.GetValueKind() == JsonValueKind.String && (string?)format is "" or "json")))
        {
            return (default, $"invalid format: {format.ToJsonString()}");
        }

        if (request["options"] is { } options && options is not JsonObject)
        {
            return (default, "json: cannot unmarshal options into Go struct field ChatRequest.options of type map[string]interface {}");
        }

        if (request["tools"] is { } tools)
        {
            if (tools is not JsonArray toolList ||
                toolList.Any(t => t is not JsonObject o || o["function"] is not JsonObject f || f["name"]?.GetValueKind() != JsonValueKind.String))
            {
                return (default, "json: cannot unmarshal tools into Go struct field ChatRequest.tools of type api.Tools");
            }
        }

        var thinkKind = request["think"]?.GetValueKind() ?? JsonValueKind.Undefined;
        return (new ChatRequest((string)model!, stream, thinkKind), null);
    }

    private static string? MessageProblem(JsonNode? node)
    {
        if (node is not JsonObject message || message["role"]?.GetValueKind() != JsonValueKind.String)
        {
            return "json: cannot unmarshal message into Go struct field ChatRequest.messages of type api.Message";
        }

        if (message["content"] is { } content && content.GetValueKind() != JsonValueKind.String)
        {
            return $"json: cannot unmarshal {content.GetValueKind().ToString().ToLowerInvariant()} into Go struct field Message.messages.content of type string";
        }

        if (message["images"] is { } images)
        {
            if (images is not JsonArray list || list.Any(i => i?.GetValueKind() != JsonValueKind.String || !IsBase64((string?)i)))
            {
                return "illegal base64 data in messages.images";
            }
        }

        if (message["tool_calls"] is { } calls)
        {
            if (calls is not JsonArray list)
            {
                return "json: cannot unmarshal tool_calls into Go struct field Message.messages.tool_calls of type []api.ToolCall";
            }

            foreach (var call in list)
            {
                if (call?["function"] is not JsonObject function || function["name"]?.GetValueKind() != JsonValueKind.String)
                {
                    return "json: cannot unmarshal tool call into Go struct field Message.messages.tool_calls of type api.ToolCall";
                }

                if (function["arguments"] is { } arguments && arguments is not JsonObject)
                {
                    return $"json: cannot unmarshal {arguments.GetValueKind().ToString().ToLowerInvariant()} into Go struct field " +
                           "ToolCallFunction.messages.tool_calls.function.arguments of type api.ToolCallFunctionArguments";
                }
            }
        }

        return null;
    }

    private static bool IsBase64(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.StartsWith("data:", StringComparison.Ordinal))
        {
            return false;
        }

        var bytes = new byte[value.Length];
        return Convert.TryFromBase64String(value, bytes, out _);
    }
}
