using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit;

/// <summary>
/// An OpenAI-compatible media upstream on real Kestrel: <c>POST /v1/images/generations</c> (JSON),
/// <c>/v1/images/edits</c> (multipart), <c>/v1/videos/generations</c> (JSON), <c>/v1/videos/edits</c> (multipart)
/// and <c>/v1/audio/music</c> (JSON → raw audio). It counts what it generates, can fail the next N calls or every
/// call, can answer slowly, can answer image <c>url</c>s instead of <c>b64_json</c>, and can report image usage.
/// Like a real upstream it honours <c>Idempotency-Key</c>: a repeated key joins the first generation or replays its
/// answer, and a generation runs to the end even when its client disconnects.
/// </summary>
public sealed class FakeVisionUpstream : IAsyncDisposable
{
    /// <summary>A 1×1 PNG, the image every generation answers.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    /// <summary>The bytes every video generation answers (an MP4 header, enough for a test).</summary>
    public static readonly byte[] Mp4 = [0, 0, 0, 24, .. "ftypmp42"u8, 0, 0, 0, 0, .. "mp42isom"u8];

    /// <summary>The bytes every music generation answers.</summary>
    public static readonly byte[] Mp3 = [.. "ID3"u8, 4, 0, 0, 0, 0, 0, 0];

    private readonly ConcurrentDictionary<string, Lazy<Task<Answer>>> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requestsPerKey = new(StringComparer.Ordinal);
    private LoopbackServer? _server;
    private int _generations;
    private int _calls;
    private int _failures;
    private int _failNext;
    private int _started;
    private int _held;
    private int _holdAfter = int.MaxValue;
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeVisionUpstream()
    {
    }

    public static async Task<FakeVisionUpstream> StartAsync()
    {
        var fake = new FakeVisionUpstream();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/v1/</c>.</summary>
    public Uri BaseUrl => new(Server.Root + "/v1/");

    /// <summary>Every media request received (multipart bodies recorded as a JSON summary of fields and files).</summary>
    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    /// <summary>Generations run to completion (a replayed or joined idempotent request is not a new one).</summary>
    public int Generations => Volatile.Read(ref _generations);

    /// <summary>Media requests received, failed ones included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Requests received per <c>Idempotency-Key</c>.</summary>
    public IReadOnlyDictionary<string, int> RequestsPerKey => new Dictionary<string, int>(_requestsPerKey);

    /// <summary>How long each generation takes.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every call fails with this status (an OpenAI error envelope).</summary>
    public int? AlwaysFailWith { get; set; }

    /// <summary>Answer image <c>url</c>s (served by this fake under <c>/files/</c>) instead of <c>b64_json</c>.</summary>
    public bool AnswerWithUrls { get; set; }

    /// <summary>When set, image answers carry it as their <c>usage</c> (gpt-image-1 reports input and output tokens).</summary>
    public JsonObject? ImageUsage { get; set; }

    /// <summary>Generations waiting at the gate (see <see cref="HoldAfter"/>).</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Generations after the first <paramref name="count"/> wait (in flight) until <see cref="Release"/>.</summary>
    public void HoldAfter(int count)
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _holdAfter, count);
    }

    /// <summary>Lets held generations finish, and every later one run at once.</summary>
    public void Release()
    {
        Volatile.Write(ref _holdAfter, int.MaxValue);
        _gate.TrySetResult();
    }

    /// <summary>The next <paramref name="count"/> calls fail with HTTP 500.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failNext, count);

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake is not started.");

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(request.Method) && path.StartsWith("/files/", StringComparison.Ordinal))
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png).ConfigureAwait(false);
            return;
        }

        var kind = path switch
        {
            "/v1/images/generations" or "/v1/images/edits" => "image",
            "/v1/videos/generations" or "/v1/videos/edits" => "video",
            "/v1/audio/music" => "music",
            _ => null,
        };
        if (kind is null || !HttpMethods.IsPost(request.Method))
        {
            await ErrorAsync(context.Response, 404, $"Invalid URL ({request.Method} {path})").ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _calls);
        var (body, n, prompt) = await ReadAsync(request).ConfigureAwait(false);
        Server.Record(request, path, body);
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0)
        {
            _requestsPerKey.AddOrUpdate(key, 1, (_, count) => count + 1);
        }

        if (AlwaysFailWith is { } status || TakeFailure(out status))
        {
            Interlocked.Increment(ref _failures);
            await ErrorAsync(context.Response, status, $"The fake upstream failed on purpose (HTTP {status}).").ConfigureAwait(false);
            return;
        }

        var generation = key.Length > 0
            ? _byKey.GetOrAdd(key, _ => new Lazy<Task<Answer>>(() => GenerateAsync(kind, n, prompt))).Value
            : GenerateAsync(kind, n, prompt);
        Answer answer;
        try
        {
            answer = await generation.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        context.Response.ContentType = answer.ContentType;
        await context.Response.Body.WriteAsync(answer.Body).ConfigureAwait(false);
    }

    private bool TakeFailure(out int status)
    {
        status = 500;
        while (true)
        {
            var left = Volatile.Read(ref _failNext);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    /// <summary>Runs on its own, not on the request: a client that disconnects does not stop a generation.</summary>
    private async Task<Answer> GenerateAsync(string kind, int n, string prompt)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, Server.ShutdownToken).ConfigureAwait(false);
        }

        if (Interlocked.Increment(ref _started) > Volatile.Read(ref _holdAfter))
        {
            Interlocked.Increment(ref _held);
            await _gate.Task.WaitAsync(Server.ShutdownToken).ConfigureAwait(false);
            Interlocked.Decrement(ref _held);
        }

        Interlocked.Increment(ref _generations);
        if (kind == "music")
        {
            return new Answer("audio/mpeg", Mp3);
        }

        var data = new JsonArray();
        for (var i = 0; i < n; i++)
        {
            var item = new JsonObject();
            if (kind == "image" && AnswerWithUrls)
            {
                item["url"] = $"{Server.Root}/files/{Guid.NewGuid():N}.png";
            }
            else
            {
                item["b64_json"] = Convert.ToBase64String(kind == "video" ? Mp4 : Png);
            }

            if (kind == "image")
            {
                item["revised_prompt"] = prompt;
            }

            data.Add(item);
        }

        var answer = new JsonObject { ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["data"] = data };
        if (kind == "image" && ImageUsage is { } usage)
        {
            answer["usage"] = usage.DeepClone();
        }

        return new Answer("application/json", Encoding.UTF8.GetBytes(answer.ToJsonString()));
    }

    /// <summary>The body as text (multipart: a JSON summary), and the n and prompt it asks for.</summary>
    private static async Task<(string Body, int N, string Prompt)> ReadAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync().ConfigureAwait(false);
            var fields = new JsonObject();
            foreach (var (name, value) in form)
            {
                fields[name] = value.ToString();
            }

            var files = new JsonArray();
            foreach (var file in form.Files)
            {
                files.Add(new JsonObject
                {
                    ["name"] = file.Name, ["filename"] = file.FileName, ["content_type"] = file.ContentType, ["length"] = file.Length,
                });
            }

            var n = int.TryParse(form["n"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 1;
            return (new JsonObject { ["fields"] = fields, ["files"] = files }.ToJsonString(), n, form["prompt"].ToString());
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        try
        {
            var json = JsonNode.Parse(text);
            var n = json?["n"] is JsonValue v && v.TryGetValue<int>(out var count) ? count : 1;
            return (text, n, json?["prompt"]?.ToString() ?? "");
        }
        catch (JsonException)
        {
            return (text, 1, "");
        }
    }

    private static async Task ErrorAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "server_error", ["param"] = null, ["code"] = null },
        };
        await response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }

    private sealed record Answer(string ContentType, byte[] Body);
}
