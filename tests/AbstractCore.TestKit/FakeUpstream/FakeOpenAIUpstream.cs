using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AbstractCore.TestKit;

/// <summary>
/// An OpenAI-compatible upstream on real Kestrel (127.0.0.1, random port) that speaks the Chat Completions wire
/// protocol: <c>POST /v1/chat/completions</c> (JSON or SSE, following the request's <c>stream</c> and
/// <c>stream_options.include_usage</c>), <c>GET /v1/models</c>, and a 404 OpenAI error envelope elsewhere.
/// Replies are scripted with <see cref="Enqueue"/> (FIFO) and fall back to <see cref="DefaultReply"/>.
/// </summary>
public sealed class FakeOpenAIUpstream : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan CutGracePeriod = TimeSpan.FromMilliseconds(100);
    private static int s_instances;

    private readonly bool _record;
    private readonly ReplyQueue<FakeReply> _replies = new(FakeReply.Text("Hello from the fake upstream."));
    private readonly string _idPrefix;
    private LoopbackServer? _server;
    private Uri? _baseUrl;
    private long _ids;

    private FakeOpenAIUpstream(bool record)
    {
        _record = record;
        _idPrefix = "chatcmpl-fake" + Interlocked.Increment(ref s_instances).ToString("x", CultureInfo.InvariantCulture) + "-";
    }

    /// <summary>Starts the fake on a free loopback port.</summary>
    /// <param name="record">Whether to keep every request in <see cref="Requests"/>; pass false for load tests.</param>
    public static async Task<FakeOpenAIUpstream> StartAsync(bool record = true)
    {
        var fake = new FakeOpenAIUpstream(record);
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        fake._baseUrl = new Uri(fake._server.Root + "/v1/");
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/v1/</c>, with a trailing slash.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The fake upstream is not started.");

    /// <summary>A snapshot of every request received so far (empty when started with record=false).</summary>
    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    /// <summary>The last <c>POST .../chat/completions</c> received; throws if there was none.</summary>
    public RecordedRequest LastChatRequest =>
        Server.Last(r => IsChat(r.Method, r.Path))
        ?? throw new InvalidOperationException(_record
            ? "The fake upstream has received no POST .../chat/completions request."
            : "The fake upstream was started with record=false, so it keeps no requests.");

    /// <summary>The reply served when the queue is empty.</summary>
    public FakeReply DefaultReply
    {
        get => _replies.Default;
        set => _replies.Default = value;
    }

    /// <summary>Model ids listed by <c>GET /v1/models</c>.</summary>
    public List<string> Models { get; } = ["fake-model"];

    /// <summary>How many chat requests were aborted by the client before the fake had finished answering them.</summary>
    public int CancelledRequests => Server.CancelledRequests;

    private int _contentChunksSent;

    /// <summary>Streamed text chunks written (and flushed) so far, over every stream: what a billed client was sent.</summary>
    public int ContentChunksSent => Volatile.Read(ref _contentChunksSent);

    /// <summary>Replies served in order to the next chat completion requests.</summary>
    public void Enqueue(params FakeReply[] replies) => _replies.Enqueue(replies);

    /// <summary>Drops the scripted replies not served yet, so a test that failed before its upstream call leaves nothing
    /// behind for the next test sharing this fake.</summary>
    public void ClearReplies() => _replies.Clear();

    /// <summary>True as soon as <see cref="CancelledRequests"/> is above zero; false if that did not happen within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForCancellationAsync(TimeSpan timeout) => Server.WaitForCancellationAsync(timeout);

    /// <summary>How many chat completion requests were received so far (0 when started with record=false).</summary>
    public int ChatRequestCount => Requests.Count(r => IsChat(r.Method, r.Path));

    /// <summary>
    /// Waits until more than <paramref name="count"/> chat completion requests were received; true if that happened
    /// within <paramref name="timeout"/>. Tests that cancel a call wait for this first, so a slow machine cannot make them
    /// cancel before anything was sent (other requests, such as the gateway's model discovery, do not count).
    /// </summary>
    public async Task<bool> WaitForChatRequestsAfterAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ChatRequestCount <= count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        return ChatRequestCount > count;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake upstream is not started.");

    private static bool IsChat(string method, string path) =>
        HttpMethods.IsPost(method) && path.EndsWith("/chat/completions", StringComparison.Ordinal);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var method = request.Method;
        var isChat = IsChat(method, path);

        ChatCall? call = null;
        CancellationTokenRegistration abortRegistration = default;
        if (isChat)
        {
            call = new ChatCall(this);
            abortRegistration = context.RequestAborted.UnsafeRegister(static state => ((ChatCall)state!).OnAborted(), call);
        }

        try
        {
            var body = await ReadBodyAsync(request.BodyReader, context.RequestAborted).ConfigureAwait(false);
            if (_record)
            {
                Server.Record(request, path, Encoding.UTF8.GetString(body));
            }

            if (isChat)
            {
                await HandleChatAsync(context, body, call!).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(method) && path.EndsWith("/models", StringComparison.Ordinal))
            {
                await WriteModelsAsync(context.Response, null).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(method) && path.Contains("/models/", StringComparison.Ordinal))
            {
                await WriteModelsAsync(context.Response, path[(path.LastIndexOf('/') + 1)..]).ConfigureAwait(false);
            }
            else
            {
                await WriteErrorAsync(context.Response, new ErrorReply(404, $"Invalid URL ({method} {path})", "invalid_request_error", null, null)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException
                                   && (context.RequestAborted.IsCancellationRequested || Server.IsShuttingDown))
        {
            // The client went away, the fake cut the stream itself, or the fake is shutting down.
            context.Abort();
        }
        finally
        {
            if (call is not null)
            {
                call.Finish();
                abortRegistration.Dispose();
            }
        }
    }

    private static async ValueTask<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (result.IsCompleted || result.IsCanceled)
            {
                var bytes = buffer.IsEmpty ? [] : buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return bytes;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task HandleChatAsync(HttpContext context, byte[] body, ChatCall call)
    {
        ChatRequest chat;
        try
        {
            chat = ChatRequest.Parse(body);
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context.Response, new ErrorReply(400, "We could not parse the JSON body of your request.", "invalid_request_error", null, null)).ConfigureAwait(false);
            return;
        }

        var reply = _replies.Next();
        await ServeAsync(context, chat, reply, call).ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context, ChatRequest chat, FakeReply reply, ChatCall call)
    {
        if (reply is TrackedReply tracked)
        {
            // Counted until just before the first byte: the client cannot have its answer while it is counted.
            reply = tracked.Then;
            tracked.Gauge.Enter();
            try
            {
                while (reply is DelayedReply delayed)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
                    await Task.Delay(delayed.Delay, linked.Token).ConfigureAwait(false);
                    reply = delayed.Then;
                }
            }
            finally
            {
                tracked.Gauge.Exit();
            }
        }

        while (reply is DelayedReply delayed)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
            await Task.Delay(delayed.Delay, linked.Token).ConfigureAwait(false);
            reply = delayed.Then;
        }

        switch (reply)
        {
            case GzippedReply gzipped:
                await ServeGzippedAsync(context, chat, gzipped.Then, call).ConfigureAwait(false);
                return;

            case HangReply:
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
                    await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
                    return;
                }

            case ErrorReply error:
                await WriteErrorAsync(context.Response, error).ConfigureAwait(false);
                return;

            case RawReply raw:
                {
                    var bytes = Encoding.UTF8.GetBytes(raw.Body);
                    var response = context.Response;
                    response.StatusCode = raw.Status;
                    response.ContentType = raw.ContentType;
                    response.ContentLength = bytes.Length;
                    await response.BodyWriter.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
                    return;
                }

            case StallReply:
                if (chat.Stream)
                {
                    await StreamAsync(context, chat, reply, call).ConfigureAwait(false);
                }

                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, Server.ShutdownToken);
                    await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
                    return;
                }

            case CutStreamReply cut:
                if (chat.Stream)
                {
                    await StreamAsync(context, chat, reply, call).ConfigureAwait(false);

                    // Abort() drops whatever Kestrel has not yet handed to the socket: let the flushed chunks leave first.
                    await Task.Delay(CutGracePeriod, Server.ShutdownToken).ConfigureAwait(false);
                }

                call.SelfAborted = true;
                context.Abort();
                return;

            case TextReply or ToolCallsReply:
                if (chat.Stream)
                {
                    await StreamAsync(context, chat, reply, call).ConfigureAwait(false);
                }
                else
                {
                    await WriteCompletionAsync(context, chat, reply).ConfigureAwait(false);
                }

                return;

            default:
                throw new InvalidOperationException($"Unknown fake reply {reply.GetType().Name}.");
        }
    }

    /// <summary>The reply written to memory, then sent compressed with its compressed length.</summary>
    private async Task ServeGzippedAsync(HttpContext context, ChatRequest chat, FakeReply reply, ChatCall call)
    {
        var wire = context.Features.Get<IHttpResponseBodyFeature>()!;
        using var plain = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(plain));
        try
        {
            await ServeAsync(context, chat, reply, call).ConfigureAwait(false);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(wire);
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain.GetBuffer(), 0, (int)plain.Length);
        }

        context.Response.Headers.ContentEncoding = "gzip";
        context.Response.ContentLength = compressed.Length;
        await wire.Writer.WriteAsync(compressed.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private string NextId() => _idPrefix + Interlocked.Increment(ref _ids).ToString("x", CultureInfo.InvariantCulture);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private async Task WriteCompletionAsync(HttpContext context, ChatRequest chat, FakeReply reply)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id"u8, NextId());
            w.WriteString("object"u8, "chat.completion"u8);
            w.WriteNumber("created"u8, Now());
            w.WriteString("model"u8, chat.Model);
            w.WriteStartArray("choices"u8);
            w.WriteStartObject();
            w.WriteNumber("index"u8, 0);
            w.WriteStartObject("message"u8);
            w.WriteString("role"u8, "assistant"u8);
            int promptTokens, completionTokens;
            string finishReason;
            if (reply is TextReply text)
            {
                w.WriteString("content"u8, text.Content);
                if (text.Reasoning is not null)
                {
                    w.WriteString("reasoning_content"u8, text.Reasoning);
                }

                w.WriteNull("refusal"u8);
                finishReason = text.FinishReason;
                promptTokens = text.PromptTokens;
                completionTokens = text.CompletionTokens;
            }
            else
            {
                var tools = (ToolCallsReply)reply;
                w.WriteNull("content"u8);
                w.WriteNull("refusal"u8);
                w.WriteStartArray("tool_calls"u8);
                foreach (var toolCall in tools.Calls)
                {
                    w.WriteStartObject();
                    w.WriteString("id"u8, toolCall.Id);
                    w.WriteString("type"u8, "function"u8);
                    w.WriteStartObject("function"u8);
                    w.WriteString("name"u8, toolCall.Name);
                    w.WriteString("arguments"u8, toolCall.Arguments);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                finishReason = "tool_calls";
                promptTokens = 11;
                completionTokens = 7;
            }

            w.WriteEndObject();
            w.WriteNull("logprobs"u8);
            w.WriteString("finish_reason"u8, finishReason);
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w, promptTokens, completionTokens);
            w.WriteEndObject();
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteUsage(Utf8JsonWriter w, int promptTokens, int completionTokens)
    {
        w.WriteStartObject("usage"u8);
        w.WriteNumber("prompt_tokens"u8, promptTokens);
        w.WriteNumber("completion_tokens"u8, completionTokens);
        w.WriteNumber("total_tokens"u8, promptTokens + completionTokens);
        w.WriteEndObject();
    }

    private async Task StreamAsync(HttpContext context, ChatRequest chat, FakeReply reply, ChatCall call)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        using var sse = new SseWriter(response.BodyWriter, NextId(), Now(), chat.Model, chat.IncludeUsage, context.RequestAborted);
        if (!await sse.WriteAsync(ChunkKind.Role).ConfigureAwait(false))
        {
            return;
        }

        switch (reply)
        {
            case CutStreamReply cut:
                {
                    var pieces = SplitText(cut.Content);
                    var count = Math.Min(cut.ChunksBeforeCut, pieces.Count);
                    for (var i = 0; i < count; i++)
                    {
                        if (!await sse.WriteAsync(ChunkKind.Content, text: pieces[i]).ConfigureAwait(false))
                        {
                            return;
                        }
                    }

                    return;
                }

            case StallReply stall:
                {
                    var pieces = SplitText(stall.Content);
                    var count = Math.Min(stall.ChunksBeforeStall, pieces.Count);
                    for (var i = 0; i < count; i++)
                    {
                        var written = stall.ContinuousUsage && chat.IncludeUsage
                            ? await sse.WriteAsync(ChunkKind.Content, index: 11, index2: i + 1, text: pieces[i], withUsage: true).ConfigureAwait(false)
                            : await sse.WriteAsync(ChunkKind.Content, text: pieces[i]).ConfigureAwait(false);
                        if (!written)
                        {
                            return;
                        }
                    }

                    return;
                }

            case TextReply text:
                {
                    if (text.Reasoning is not null)
                    {
                        foreach (var piece in SplitText(text.Reasoning))
                        {
                            if (!await sse.WriteAsync(ChunkKind.Reasoning, text: piece).ConfigureAwait(false))
                            {
                                return;
                            }
                        }
                    }

                    var pieces = SplitText(text.Content);
                    for (var i = 0; i < pieces.Count; i++)
                    {
                        if (i > 0 && text.Pace > TimeSpan.Zero)
                        {
                            await Task.Delay(text.Pace, context.RequestAborted).ConfigureAwait(false);
                        }

                        if (!await sse.WriteAsync(ChunkKind.Content, text: pieces[i]).ConfigureAwait(false))
                        {
                            return;
                        }

                        Interlocked.Increment(ref _contentChunksSent);
                    }

                    if (!await sse.WriteAsync(ChunkKind.Finish, text: text.FinishReason).ConfigureAwait(false))
                    {
                        return;
                    }

                    if (chat.IncludeUsage && !await sse.WriteAsync(ChunkKind.Usage, index: text.PromptTokens, index2: text.CompletionTokens).ConfigureAwait(false))
                    {
                        return;
                    }

                    break;
                }

            case ToolCallsReply tools:
                {
                    for (var i = 0; i < tools.Calls.Count; i++)
                    {
                        var toolCall = tools.Calls[i];
                        if (!await sse.WriteAsync(ChunkKind.ToolCallStart, index: i, text: toolCall.Id, text2: toolCall.Name).ConfigureAwait(false))
                        {
                            return;
                        }

                        var fragments = SplitArguments(toolCall.Arguments);
                        for (var f = 0; f < fragments.Count; f++)
                        {
                            if (!await sse.WriteAsync(ChunkKind.ToolCallArguments, index: i, text: fragments[f]).ConfigureAwait(false))
                            {
                                return;
                            }

                            if (f == tools.FragmentsBeforeHold - 1 && tools.HoldAfterFirstFragment is { } hold)
                            {
                                await hold.ConfigureAwait(false);
                            }
                        }
                    }

                    if (!await sse.WriteAsync(ChunkKind.Finish, text: "tool_calls").ConfigureAwait(false))
                    {
                        return;
                    }

                    if (chat.IncludeUsage && !await sse.WriteAsync(ChunkKind.Usage, index: 11, index2: 7).ConfigureAwait(false))
                    {
                        return;
                    }

                    break;
                }
        }

        await sse.WriteDoneAsync().ConfigureAwait(false);
        call.Finish();
    }

    /// <summary>Splits text the way a tokenizer streams it: at word starts and at most 5 characters a piece.</summary>
    internal static List<string> SplitText(string text)
    {
        const int MaxPiece = 5;
        var pieces = new List<string>(text.Length / 3 + 1);
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (char.IsLowSurrogate(text[i]))
            {
                continue;
            }

            var wordStart = char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1]);
            if (wordStart || i - start >= MaxPiece)
            {
                pieces.Add(text[start..i]);
                start = i;
            }
        }

        if (start < text.Length)
        {
            pieces.Add(text[start..]);
        }

        return pieces;
    }

    /// <summary>Splits tool-call arguments into at least 3 fragments (2 for 2 characters), at most 16 characters each.</summary>
    internal static List<string> SplitArguments(string arguments)
    {
        var pieces = new List<string>();
        if (arguments.Length == 0)
        {
            return pieces;
        }

        var size = Math.Clamp((arguments.Length + 2) / 3, 1, 16);
        var start = 0;
        while (start < arguments.Length)
        {
            var end = Math.Min(start + size, arguments.Length);
            if (end < arguments.Length && char.IsLowSurrogate(arguments[end]))
            {
                end++;
            }

            pieces.Add(arguments[start..end]);
            start = end;
        }

        return pieces;
    }

    private async Task WriteModelsAsync(HttpResponse response, string? single)
    {
        string[] models;
        lock (Models)
        {
            models = [.. Models];
        }

        if (single is not null && Array.IndexOf(models, single) < 0)
        {
            await WriteErrorAsync(response, new ErrorReply(404, $"The model '{single}' does not exist", "invalid_request_error", "model_not_found", null)).ConfigureAwait(false);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var created = Now();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            if (single is not null)
            {
                WriteModel(w, single, created);
            }
            else
            {
                w.WriteStartObject();
                w.WriteString("object"u8, "list"u8);
                w.WriteStartArray("data"u8);
                foreach (var id in models)
                {
                    WriteModel(w, id, created);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }
        }

        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);

        static void WriteModel(Utf8JsonWriter w, string id, long created)
        {
            w.WriteStartObject();
            w.WriteString("id"u8, id);
            w.WriteString("object"u8, "model"u8);
            w.WriteNumber("created"u8, created);
            w.WriteString("owned_by"u8, "fake"u8);
            w.WriteEndObject();
        }
    }

    private static async Task WriteErrorAsync(HttpResponse response, ErrorReply error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteString("message"u8, error.Message);
            w.WriteString("type"u8, error.Type);
            w.WriteNull("param"u8);
            if (error.Code is null)
            {
                w.WriteNull("code"u8);
            }
            else
            {
                w.WriteString("code"u8, error.Code);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        response.StatusCode = error.Status;
        if (error.Headers is not null)
        {
            foreach (var (name, value) in error.Headers)
            {
                response.Headers[name] = value;
            }
        }

        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>Per chat request: tells a client abort from the fake's own cut and from a finished answer.</summary>
    private sealed class ChatCall(FakeOpenAIUpstream owner)
    {
        private int _state; // 0 running, 1 finished or counted

        public bool SelfAborted { get; set; }

        public void Finish() => Interlocked.Exchange(ref _state, 1);

        public void OnAborted()
        {
            if (SelfAborted || owner.Server.IsShuttingDown)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
            {
                owner.Server.CountCancelled();
            }
        }
    }

    private enum ChunkKind
    {
        Role,
        Content,
        Reasoning,
        ToolCallStart,
        ToolCallArguments,
        Finish,
        Usage,
    }

    /// <summary>Writes <c>data: {chunk}\n\n</c> events straight into Kestrel's pipe and flushes each one.</summary>
    private sealed class SseWriter : IDisposable
    {
        private readonly PipeWriter _pipe;
        private readonly Utf8JsonWriter _json;
        private readonly string _id;
        private readonly long _created;
        private readonly string _model;
        private readonly bool _includeUsage;
        private readonly CancellationToken _cancellationToken;

        public SseWriter(PipeWriter pipe, string id, long created, string model, bool includeUsage, CancellationToken cancellationToken)
        {
            _pipe = pipe;
            _json = new Utf8JsonWriter(pipe, WriterOptions);
            _id = id;
            _created = created;
            _model = model;
            _includeUsage = includeUsage;
            _cancellationToken = cancellationToken;
        }

        /// <returns>false when the client is gone.</returns>
        /// <param name="withUsage">A content chunk that also carries usage (<paramref name="index"/> prompt tokens,
        /// <paramref name="index2"/> completion tokens).</param>
        public async ValueTask<bool> WriteAsync(ChunkKind kind, int index = 0, int index2 = 0, string? text = null, string? text2 = null, bool withUsage = false)
        {
            _pipe.Write("data: "u8);
            var w = _json;
            w.Reset(_pipe);
            w.WriteStartObject();
            w.WriteString("id"u8, _id);
            w.WriteString("object"u8, "chat.completion.chunk"u8);
            w.WriteNumber("created"u8, _created);
            w.WriteString("model"u8, _model);
            w.WriteStartArray("choices"u8);
            if (kind != ChunkKind.Usage)
            {
                w.WriteStartObject();
                w.WriteNumber("index"u8, 0);
                w.WriteStartObject("delta"u8);
                switch (kind)
                {
                    case ChunkKind.Role:
                        w.WriteString("role"u8, "assistant"u8);
                        w.WriteString("content"u8, ""u8);
                        break;
                    case ChunkKind.Content:
                        w.WriteString("content"u8, text);
                        break;
                    case ChunkKind.Reasoning:
                        w.WriteString("reasoning_content"u8, text);
                        break;
                    case ChunkKind.ToolCallStart:
                        w.WriteStartArray("tool_calls"u8);
                        w.WriteStartObject();
                        w.WriteNumber("index"u8, index);
                        w.WriteString("id"u8, text);
                        w.WriteString("type"u8, "function"u8);
                        w.WriteStartObject("function"u8);
                        w.WriteString("name"u8, text2);
                        w.WriteString("arguments"u8, ""u8);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndArray();
                        break;
                    case ChunkKind.ToolCallArguments:
                        w.WriteStartArray("tool_calls"u8);
                        w.WriteStartObject();
                        w.WriteNumber("index"u8, index);
                        w.WriteStartObject("function"u8);
                        w.WriteString("arguments"u8, text);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndArray();
                        break;
                }

                w.WriteEndObject();
                w.WriteNull("logprobs"u8);
                if (kind == ChunkKind.Finish)
                {
                    w.WriteString("finish_reason"u8, text);
                }
                else
                {
                    w.WriteNull("finish_reason"u8);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (kind == ChunkKind.Usage || withUsage)
            {
                WriteUsage(w, index, index2);
            }
            else if (_includeUsage)
            {
                w.WriteNull("usage"u8);
            }

            w.WriteEndObject();
            w.Flush();
            _pipe.Write("\n\n"u8);
            var result = await _pipe.FlushAsync(_cancellationToken).ConfigureAwait(false);
            return !result.IsCompleted && !result.IsCanceled;
        }

        public void Dispose() => _json.Dispose();

        public async ValueTask WriteDoneAsync()
        {
            _pipe.Write("data: [DONE]\n\n"u8);
            await _pipe.FlushAsync(_cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The few request fields the fake needs, read with a forward-only reader.</summary>
    private readonly record struct ChatRequest(string Model, bool Stream, bool IncludeUsage)
    {
        public static ChatRequest Parse(ReadOnlySpan<byte> body)
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The request body is not a JSON object.");
            }

            string? model = null;
            bool stream = false, includeUsage = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
                            reader.Read();
                            if (isIncludeUsage)
                            {
                                includeUsage = reader.TokenType == JsonTokenType.True;
                            }

                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return new ChatRequest(model ?? "fake-model", stream, includeUsage);
        }
    }
}
