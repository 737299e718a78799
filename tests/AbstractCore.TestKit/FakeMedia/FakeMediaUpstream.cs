using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit.FakeMedia;

/// <summary>A file a multipart request carried, as the fake received it.</summary>
public sealed record ReceivedFile(string Field, string FileName, string ContentType, byte[] Content);

/// <summary>
/// An OpenAI-compatible media server on real Kestrel (127.0.0.1, random port) speaking OpenAI's wire formats:
/// <c>POST /v1/embeddings</c> (float arrays, or base64 little-endian float32 when asked), <c>POST /v1/audio/speech</c>
/// (audio bytes as <c>audio/mpeg</c>, <c>audio/wav</c>…), <c>POST /v1/audio/transcriptions</c> (multipart; json, text,
/// srt, vtt, verbose_json), and the extension routes <c>POST /v1/voice/clone</c>, <c>POST /v1/audio/voices</c>
/// (OpenAI custom voices) and <c>POST /v1/audio/music</c>. Anything else is OpenAI's 404 envelope.
/// Requests are recorded (multipart as a JSON summary of its fields in <see cref="RecordedRequest.Body"/>, files in
/// <see cref="Files"/>); <see cref="FailNext"/> scripts an error for the next request.
/// </summary>
public sealed class FakeMediaUpstream : IAsyncDisposable
{
    private readonly ConcurrentQueue<(int Status, string Message)> _failures = new();
    private LoopbackServer? _server;
    private int _abortedAudio;

    private FakeMediaUpstream()
    {
    }

    public static async Task<FakeMediaUpstream> StartAsync()
    {
        var fake = new FakeMediaUpstream();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync).ConfigureAwait(false);
        return fake;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/v1/</c>.</summary>
    public Uri BaseUrl => new(Server.Root + "/v1/");

    public IReadOnlyList<RecordedRequest> Requests => Server.Requests;

    /// <summary>Files received by multipart routes, in order.</summary>
    public ConcurrentQueue<ReceivedFile> Files { get; } = new();

    /// <summary>How many bytes <c>/audio/speech</c> and <c>/audio/music</c> answer with.</summary>
    public int AudioBytes { get; set; } = 256 * 1024;

    /// <summary>Whether <c>/embeddings</c> answers with <c>usage</c> (as OpenAI does); some compatible servers leave it out.</summary>
    public bool EmbeddingUsage { get; set; } = true;

    /// <summary>What <c>/audio/transcriptions</c> transcribes every file to.</summary>
    public string Transcript { get; set; } = "Hello from the fake transcriber.";

    /// <summary>When set, audio answers stop after their first chunk until it completes (to show the gateway streams).</summary>
    public TaskCompletionSource? AudioGate { get; set; }

    /// <summary>Audio answers whose client went away before the last byte.</summary>
    public int AbortedAudio => Volatile.Read(ref _abortedAudio);

    public RecordedRequest Last(string pathSuffix) =>
        Server.Last(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"The fake media upstream has received no request to …{pathSuffix}.");

    /// <summary>The next request is answered with this status and OpenAI error envelope.</summary>
    public void FailNext(int status, string message) => _failures.Enqueue((status, message));

    /// <summary>The fake audio: a byte pattern that a test can check arrived whole and in order.</summary>
    public static byte AudioByte(int index) => (byte)(index * 7 % 251);

    public static double EmbeddingValue(int item, int dimension) => Math.Round(0.25 + item + dimension / 1000.0, 5);

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    private LoopbackServer Server => _server ?? throw new InvalidOperationException("The fake media upstream is not started.");

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var multipart = request.HasFormContentType;
        JsonObject? json = null;
        string recorded;
        IFormCollection? form = null;
        if (multipart)
        {
            form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var summary = new JsonObject();
            foreach (var (name, values) in form)
            {
                summary[name] = values.Count == 1 ? values[0] : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            }

            foreach (var file in form.Files)
            {
                using var copy = new MemoryStream();
                await file.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
                Files.Enqueue(new ReceivedFile(file.Name, file.FileName, file.ContentType, copy.ToArray()));
                summary["@" + file.Name] = file.FileName;
            }

            recorded = summary.ToJsonString();
        }
        else
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            recorded = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            try
            {
                json = JsonNode.Parse(recorded) as JsonObject;
            }
            catch (JsonException)
            {
            }
        }

        Server.Record(request, path, recorded);
        if (_failures.TryDequeue(out var failure))
        {
            await ErrorAsync(context.Response, failure.Status, failure.Message).ConfigureAwait(false);
            return;
        }

        var post = HttpMethods.IsPost(request.Method);
        switch (path)
        {
            case "/v1/embeddings" when post && json is not null:
                await EmbeddingsAsync(context.Response, json, EmbeddingUsage).ConfigureAwait(false);
                break;
            case "/v1/audio/speech" or "/v1/audio/music" when post && json is not null:
                await AudioAsync(context, json, path.EndsWith("music", StringComparison.Ordinal)).ConfigureAwait(false);
                break;
            case "/v1/audio/transcriptions" when post && form is not null:
                await TranscriptionAsync(context.Response, form).ConfigureAwait(false);
                break;
            case "/v1/voice/clone" or "/v1/audio/voices" when post && form is not null:
                await CloneAsync(context.Response, form, path).ConfigureAwait(false);
                break;
            default:
                await ErrorAsync(context.Response, 404, $"Invalid URL ({request.Method} {path})").ConfigureAwait(false);
                break;
        }
    }

    private static async Task EmbeddingsAsync(HttpResponse response, JsonObject request, bool withUsage)
    {
        string[] inputs = request["input"] switch
        {
            JsonArray array => [.. array.Select(i => (string?)i ?? "")],
            JsonValue value when value.GetValueKind() == JsonValueKind.String => [(string)value!],
            _ => [],
        };
        if (inputs.Length == 0 || request["model"] is null)
        {
            await ErrorAsync(response, 400, "'input' and 'model' are required properties.").ConfigureAwait(false);
            return;
        }

        var dimensions = request["dimensions"] is JsonValue d && d.TryGetValue<int>(out var n) ? n : 4;
        var base64 = (string?)request["encoding_format"] == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var values = Enumerable.Range(0, dimensions).Select(j => EmbeddingValue(i, j)).ToArray();
            JsonNode vector = base64
                ? Convert.ToBase64String(values.SelectMany(v => BitConverter.GetBytes((float)v)).ToArray())
                : new JsonArray([.. values.Select(v => (JsonNode?)v)]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = vector });
        }

        var tokens = inputs.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var answer = new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = (string?)request["model"] };
        if (withUsage)
        {
            answer["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens };
        }

        await JsonAsync(response, answer).ConfigureAwait(false);
    }

    private async Task AudioAsync(HttpContext context, JsonObject request, bool music)
    {
        if (!music && (request["input"] is null || request["voice"] is null || request["model"] is null))
        {
            await ErrorAsync(context.Response, 400, "'model', 'input' and 'voice' are required properties.").ConfigureAwait(false);
            return;
        }

        var format = (string?)request["response_format"] ?? (string?)request["format"] ?? "mp3";
        var response = context.Response;
        response.ContentType = format == "mp3" ? "audio/mpeg" : "audio/" + format;
        response.ContentLength = AudioBytes;

        // Written in small flushed chunks, as a streaming TTS server sends them.
        var chunk = new byte[16 * 1024];
        for (var offset = 0; offset < AudioBytes; offset += chunk.Length)
        {
            var length = Math.Min(chunk.Length, AudioBytes - offset);
            for (var i = 0; i < length; i++)
            {
                chunk[i] = AudioByte(offset + i);
            }

            try
            {
                await response.Body.WriteAsync(chunk.AsMemory(0, length), context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                if (offset == 0 && AudioGate is { } gate)
                {
                    await gate.Task.WaitAsync(context.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref _abortedAudio);
                return;
            }
        }
    }

    private async Task TranscriptionAsync(HttpResponse response, IFormCollection form)
    {
        if (form.Files.GetFile("file") is null || string.IsNullOrEmpty(form["model"]))
        {
            await ErrorAsync(response, 400, "'file' and 'model' are required.").ConfigureAwait(false);
            return;
        }

        var text = Transcript;
        switch (form["response_format"].ToString() is { Length: > 0 } f ? f : "json")
        {
            case "text":
                await TextAsync(response, text + "\n").ConfigureAwait(false);
                break;
            case "srt":
                await TextAsync(response, $"1\n00:00:00,000 --> 00:00:01,500\n{text}\n\n").ConfigureAwait(false);
                break;
            case "vtt":
                await TextAsync(response, $"WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n{text}\n\n").ConfigureAwait(false);
                break;
            case "verbose_json":
                await JsonAsync(response, new JsonObject
                {
                    ["task"] = "transcribe", ["language"] = "english", ["duration"] = 1.5, ["text"] = text,
                    ["segments"] = new JsonArray(new JsonObject { ["id"] = 0, ["start"] = 0.0, ["end"] = 1.5, ["text"] = text }),
                }).ConfigureAwait(false);
                break;
            default:
                await JsonAsync(response, new JsonObject
                {
                    ["text"] = text,
                    ["usage"] = new JsonObject { ["type"] = "duration", ["seconds"] = 2 },
                }).ConfigureAwait(false);
                break;
        }
    }

    private static Task CloneAsync(HttpResponse response, IFormCollection form, string path) =>
        path == "/v1/audio/voices"
            ? JsonAsync(response, new JsonObject { ["id"] = "voice_fake_1", ["object"] = "audio.voice", ["name"] = form["name"].ToString() })
            : JsonAsync(response, new JsonObject { ["voice_id"] = "voice_fake_1", ["name"] = form["name"].ToString(), ["validated"] = form["validate"] == "true" });

    private static async Task JsonAsync(HttpResponse response, JsonObject body)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }

    private static async Task TextAsync(HttpResponse response, string text)
    {
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(text).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        return JsonAsync(response, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null },
        });
    }
}
