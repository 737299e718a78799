using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit;

/// <summary>
/// Anthropic's Messages API on real Kestrel (127.0.0.1, random port): <c>POST /v1/messages</c> answered with a
/// <c>message</c> JSON or, for <c>"stream":true</c>, the SSE events <c>message_start</c>, <c>ping</c>,
/// <c>content_block_start</c>/<c>_delta</c>/<c>_stop</c>, <c>message_delta</c>, <c>message_stop</c>;
/// <c>GET /v1/models</c> (paged by <c>limit</c>/<c>after_id</c>); Anthropic's error body elsewhere. Like the real API
/// it refuses a request without <c>x-api-key</c> (401), without <c>anthropic-version</c> or <c>max_tokens</c> (400).
/// Replies are scripted with <see cref="Enqueue"/> (FIFO) and fall back to <see cref="DefaultReply"/>.
/// Started with <c>record: false</c> (load tests, <c>AbstractCore.Bench anthropic-upstream</c>) it keeps no requests.
/// </summary>
public sealed class FakeAnthropicUpstream : IAsyncDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly bool _record;
    private readonly ReplyQueue<AnthropicReply> _replies = new(AnthropicReply.Text("Hello from the fake Anthropic."));
    private LoopbackServer? _server;
    private Uri? _baseUrl;
    private long _ids;

    private FakeAnthropicUpstream(bool record)
    {
        _record = record;
    }

    /// <summary>Starts the fake on a free loopback port.</summary>
    /// <param name="record">Whether to keep every request in <see cref="Requests"/>; pass false for load tests.</param>
    public static async Task<FakeAnthropicUpstream> StartAsync(bool record = true)
    {
        var fake = new FakeAnthropicUpstream(record);
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        fake._baseUrl = new Uri(fake._server.Root);
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>: the API root without <c>/v1</c>, as ANTHROPIC_BASE_URL takes it.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The fake Anthropic upstream is not started.");

    /// <summary>Every request received so far (headers and body); empty when started with record=false.</summary>
    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    /// <summary>The last <c>POST /v1/messages</c>; throws if there was none.</summary>
    public RecordedRequest LastMessagesRequest =>
        Requests.LastOrDefault(r => r.Method == "POST" && r.Path == "/v1/messages")
        ?? throw new InvalidOperationException(_record
            ? "The fake Anthropic upstream has received no POST /v1/messages."
            : "The fake Anthropic upstream was started with record=false, so it keeps no requests.");

    public AnthropicReply DefaultReply
    {
        get => _replies.Default;
        set => _replies.Default = value;
    }

    /// <summary>Model ids listed by <c>GET /v1/models</c>.</summary>
    public List<string> Models { get; } = ["claude-test"];

    /// <summary>The most models one <c>GET /v1/models</c> page returns, whatever <c>limit</c> asks.</summary>
    public int ModelsPageSize { get; set; } = 1000;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake Anthropic upstream is not started.");

    public void Enqueue(params AnthropicReply[] replies) => _replies.Enqueue(replies);

    /// <summary>Drops the scripted replies not served yet, so a test that failed before its upstream call leaves nothing
    /// behind for the next test sharing this fake.</summary>
    public void ClearReplies() => _replies.Clear();

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();

        if (_record)
        {
            Server.Record(request, path, Encoding.UTF8.GetString(body));
        }

        try
        {
            if (!request.Headers.ContainsKey("x-api-key"))
            {
                await WriteErrorAsync(context.Response, 401, "authentication_error", "x-api-key header is required").ConfigureAwait(false);
            }
            else if (!request.Headers.ContainsKey("anthropic-version"))
            {
                await WriteErrorAsync(context.Response, 400, "invalid_request_error", "anthropic-version: header is required").ConfigureAwait(false);
            }
            else if (HttpMethods.IsPost(request.Method) && path == "/v1/messages")
            {
                await MessagesAsync(context, body).ConfigureAwait(false);
            }
            else if (HttpMethods.IsGet(request.Method) && path == "/v1/models")
            {
                await ModelsAsync(context).ConfigureAwait(false);
            }
            else
            {
                await WriteErrorAsync(context.Response, 404, "not_found_error", "Not found").ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    private async Task MessagesAsync(HttpContext context, byte[] body)
    {
        string model;
        bool stream;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number)
            {
                await WriteErrorAsync(context.Response, 400, "invalid_request_error", "max_tokens: Field required").ConfigureAwait(false);
                return;
            }

            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                await WriteErrorAsync(context.Response, 400, "invalid_request_error", "messages: Field required").ConfigureAwait(false);
                return;
            }

            model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
            stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context.Response, 400, "invalid_request_error", "The request body is not valid JSON.").ConfigureAwait(false);
            return;
        }

        var reply = _replies.Next();
        var response = context.Response;
        switch (reply)
        {
            case AnthropicErrorReply error:
                await WriteErrorAsync(response, error.Status, error.Type, error.ErrorMessage, error.Headers).ConfigureAwait(false);
                return;
            case AnthropicRawReply raw:
                response.StatusCode = raw.Status;
                response.ContentType = raw.ContentType;
                await response.WriteAsync(raw.Body, context.RequestAborted).ConfigureAwait(false);
                return;
            case AnthropicStreamErrorReply streamError when !stream:
                await WriteErrorAsync(response, streamError.Type == "overloaded_error" ? 529 : 500, streamError.Type, streamError.ErrorMessage).ConfigureAwait(false);
                return;
            case AnthropicStreamErrorReply streamError:
                await StreamErrorAsync(context, model, streamError).ConfigureAwait(false);
                return;
            case AnthropicMessageReply message when stream:
                await StreamAsync(context, model, message).ConfigureAwait(false);
                return;
            case AnthropicMessageReply message:
                await WriteJsonAsync(response, 200, w => WriteMessage(w, NextId(), model, message, streamStart: false)).ConfigureAwait(false);
                return;
            default:
                throw new InvalidOperationException($"Unknown reply {reply.GetType().Name}.");
        }
    }

    private string NextId() => "msg_fake" + Interlocked.Increment(ref _ids).ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>A whole message; for <c>message_start</c> with empty content, no stop reason and the start usage.</summary>
    private static void WriteMessage(Utf8JsonWriter w, string id, string model, AnthropicMessageReply reply, bool streamStart)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, id);
        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, "assistant"u8);
        w.WriteString("model"u8, model);
        w.WriteStartArray("content"u8);
        if (!streamStart)
        {
            foreach (var block in reply.Blocks)
            {
                WriteBlock(w, block, full: true);
            }
        }

        w.WriteEndArray();
        if (streamStart)
        {
            w.WriteNull("stop_reason"u8);
        }
        else
        {
            w.WriteString("stop_reason"u8, reply.StopReason);
        }

        w.WriteNull("stop_sequence"u8);
        w.WriteStartObject("usage"u8);
        w.WriteNumber("input_tokens"u8, reply.InputTokens);
        w.WriteNumber("cache_creation_input_tokens"u8, reply.CacheCreationInputTokens);
        w.WriteNumber("cache_read_input_tokens"u8, reply.CacheReadInputTokens);
        w.WriteNumber("output_tokens"u8, streamStart ? 1 : reply.OutputTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A content block, whole or as <c>content_block_start</c> shows it (empty text, empty input).</summary>
    private static void WriteBlock(Utf8JsonWriter w, AnthropicReplyBlock block, bool full)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, block.Type);
        switch (block.Type)
        {
            case "text":
                w.WriteString("text"u8, full ? block.Value : "");
                break;
            case "thinking":
                w.WriteString("thinking"u8, full ? block.Value : "");
                w.WriteString("signature"u8, full ? block.Signature : "");
                break;
            case "tool_use":
                w.WriteString("id"u8, block.Id);
                w.WriteString("name"u8, block.Name);
                w.WritePropertyName("input"u8);
                if (full)
                {
                    using var input = JsonDocument.Parse(block.Value);
                    input.RootElement.WriteTo(w);
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

    private async Task StreamAsync(HttpContext context, string model, AnthropicMessageReply reply)
    {
        var sse = await StartStreamAsync(context).ConfigureAwait(false);
        await sse("message_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "message_start"u8);
            w.WritePropertyName("message"u8);
            WriteMessage(w, NextId(), model, reply, streamStart: true);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await sse("ping", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "ping"u8);
            w.WriteEndObject();
        }).ConfigureAwait(false);

        for (var index = 0; index < reply.Blocks.Count; index++)
        {
            var block = reply.Blocks[index];
            var i = index;
            await sse("content_block_start", w =>
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "content_block_start"u8);
                w.WriteNumber("index"u8, i);
                w.WritePropertyName("content_block"u8);
                WriteBlock(w, block, full: false);
                w.WriteEndObject();
            }).ConfigureAwait(false);

            var (deltaType, field, pieces) = block.Type switch
            {
                "text" => ("text_delta", "text", Words(block.Value)),
                "thinking" => ("thinking_delta", "thinking", Words(block.Value)),
                _ => ("input_json_delta", "partial_json", Fragments(block.Value)),
            };
            var sent = 0;
            foreach (var piece in pieces)
            {
                await sse("content_block_delta", w => Delta(w, i, deltaType, field, piece)).ConfigureAwait(false);
                if (block.Type == "tool_use" && piece.Length > 0 && ++sent >= reply.FragmentsBeforeHold
                    && reply.HoldAfterFirstFragment is { IsCompleted: false } hold)
                {
                    await hold.ConfigureAwait(false);
                }
            }

            if (block.Type == "thinking")
            {
                await sse("content_block_delta", w => Delta(w, i, "signature_delta", "signature", block.Signature!)).ConfigureAwait(false);
            }

            await sse("content_block_stop", w =>
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "content_block_stop"u8);
                w.WriteNumber("index"u8, i);
                w.WriteEndObject();
            }).ConfigureAwait(false);
        }

        await sse("message_delta", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "message_delta"u8);
            w.WriteStartObject("delta"u8);
            w.WriteString("stop_reason"u8, reply.StopReason);
            w.WriteNull("stop_sequence"u8);
            w.WriteEndObject();
            w.WriteStartObject("usage"u8);
            w.WriteNumber("output_tokens"u8, reply.OutputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await sse("message_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "message_stop"u8);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task StreamErrorAsync(HttpContext context, string model, AnthropicStreamErrorReply reply)
    {
        var sse = await StartStreamAsync(context).ConfigureAwait(false);
        var partial = AnthropicReply.Text(reply.TextBefore);
        await sse("message_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "message_start"u8);
            w.WritePropertyName("message"u8);
            WriteMessage(w, NextId(), model, partial, streamStart: true);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await sse("content_block_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "content_block_start"u8);
            w.WriteNumber("index"u8, 0);
            w.WritePropertyName("content_block"u8);
            WriteBlock(w, partial.Blocks[0], full: false);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await sse("content_block_delta", w => Delta(w, 0, "text_delta", "text", reply.TextBefore)).ConfigureAwait(false);
        await sse("error", w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteStartObject("error"u8);
            w.WriteString("type"u8, reply.Type);
            w.WriteString("message"u8, reply.ErrorMessage);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void Delta(Utf8JsonWriter w, int index, string type, string field, string value)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "content_block_delta"u8);
        w.WriteNumber("index"u8, index);
        w.WriteStartObject("delta"u8);
        w.WriteString("type"u8, type);
        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Starts a 200 SSE answer; the returned writer sends one <c>event:</c>/<c>data:</c> pair and flushes it.</summary>
    private static async Task<Func<string, Action<Utf8JsonWriter>, Task>> StartStreamAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["request-id"] = "req_fake";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        return async (name, write) =>
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            buffer.Write(Encoding.UTF8.GetBytes("event: " + name + "\ndata: "));
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(w);
            }

            buffer.Write("\n\n"u8);
            await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        };
    }

    /// <summary>Text in word-sized deltas (each keeps its trailing space), as a model streams it.</summary>
    private static List<string> Words(string text)
    {
        var pieces = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ')
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

    /// <summary>Tool input JSON as Anthropic streams it: an empty first fragment, then cuts anywhere (mid-string too).</summary>
    private static List<string> Fragments(string json)
    {
        List<string> pieces = [""];
        var size = Math.Max(1, (json.Length + 2) / 3);
        for (var i = 0; i < json.Length; i += size)
        {
            pieces.Add(json.Substring(i, Math.Min(size, json.Length - i)));
        }

        return pieces;
    }

    private async Task ModelsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 1000) : 20;
        limit = Math.Min(limit, Math.Max(1, ModelsPageSize));
        var after = query["after_id"].ToString();
        var all = Models.ToList();
        var start = after.Length == 0 ? 0 : all.IndexOf(after) + 1;
        var page = all.Skip(start).Take(limit).ToList();
        await WriteJsonAsync(context.Response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("data"u8);
            foreach (var id in page)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "model"u8);
                w.WriteString("id"u8, id);
                w.WriteString("display_name"u8, id);
                w.WriteString("created_at"u8, "2025-02-19T00:00:00Z"u8);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("has_more"u8, start + page.Count < all.Count);
            if (page.Count > 0)
            {
                w.WriteString("first_id"u8, page[0]);
                w.WriteString("last_id"u8, page[^1]);
            }
            else
            {
                w.WriteNull("first_id"u8);
                w.WriteNull("last_id"u8);
            }

            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpResponse response, int status, string type, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        return WriteJsonAsync(response, status, w =>
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "error"u8);
            w.WriteStartObject("error"u8);
            w.WriteString("type"u8, type);
            w.WriteString("message"u8, message);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(w);
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers["request-id"] = "req_fake";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }
}
