using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Bench;

/// <summary>
/// A zero-latency OpenAI-compatible upstream that fails on purpose, for bench/routing.sh's chaos stage (bench only; the
/// TestKit fake is scripted per test, not per probability). <c>upstream --fail-rate F --cut-rate C</c> hosts it instead
/// of TestKit's fake. Each <c>POST /v1/chat/completions</c> draws one number r in [0, 1):
/// <list type="bullet">
/// <item>r &lt; F: HTTP 500 with the OpenAI error envelope (streamed or not), before any byte of an answer;</item>
/// <item>streamed and F ≤ r &lt; F + C: the role chunk and <c>--cut-after</c> content chunks (default 2), flushed, then
/// the connection is aborted (no finish chunk, no <c>[DONE]</c>): a cut mid-stream;</item>
/// <item>otherwise the answer TestKit's fake gives by default: "Hello from the fake upstream.", as one JSON completion or
/// as SSE (role chunk, one chunk per word, finish chunk, a usage chunk when asked, <c>[DONE]</c>).</item>
/// </list>
/// With F = C = 0 it is a healthy fake with the same text (the chaos stage's load client checks that text).
/// <c>GET /bench/stats</c> answers its counts so far, <c>{"requests","failed_500","cut","ok"}</c> (chat requests, 500s
/// sent, streams cut, good answers); on SIGTERM/SIGINT it prints the same to stderr after <c>chaos-upstream: </c>.
/// </summary>
internal static class ChaosUpstream
{
    public const string Text = "Hello from the fake upstream.";
    private static readonly string[] Pieces = ["Hello", " from", " the", " fake", " upstream."];
    private static readonly TimeSpan CutGrace = TimeSpan.FromMilliseconds(50);

    private static long s_requests, s_failed, s_cut, s_ok, s_ids;

    public static bool Wanted(Options options) => options.Has("fail-rate") || options.Has("cut-rate");

    public static async Task<int> RunAsync(Options options)
    {
        var failRate = options.Double("fail-rate", 0);
        var cutRate = options.Double("cut-rate", 0);
        var cutAfter = options.Int("cut-after", 2);
        if (failRate is < 0 or > 1 || cutRate is < 0 or > 1 || failRate + cutRate > 1 || cutAfter is < 0 or > 4)
        {
            throw new ArgumentException("--fail-rate and --cut-rate are in [0, 1] with a sum ≤ 1; --cut-after in 0..4");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.AddServerHeader = false);
        builder.WebHost.UseUrls("http://127.0.0.1:" + options.Int("port", 0).ToString(CultureInfo.InvariantCulture));
        var app = builder.Build();
        app.Run(context => HandleAsync(context, failRate, cutRate, cutAfter));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        await Console.Out.WriteLineAsync(address.TrimEnd('/') + "/v1/");
        await Console.Out.FlushAsync();

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await stop.Task;
        await Console.Error.WriteLineAsync("chaos-upstream: " + Stats());
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await app.StopAsync(stopTimeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static async Task HandleAsync(HttpContext context, double failRate, double cutRate, int cutAfter)
    {
        var path = context.Request.Path.Value ?? "";
        var response = context.Response;
        if (HttpMethods.IsGet(context.Request.Method) && path.EndsWith("/models", StringComparison.Ordinal))
        {
            response.ContentType = "application/json";
            await response.WriteAsync("""{"object":"list","data":[{"id":"fake-model","object":"model","created":0,"owned_by":"bench"}]}""");
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && path == "/bench/stats")
        {
            response.ContentType = "application/json";
            await response.WriteAsync(Stats());
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method) || !path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            response.StatusCode = 404;
            response.ContentType = "application/json";
            await response.WriteAsync("""{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}""");
            return;
        }

        var aborted = context.RequestAborted;
        string model;
        bool stream, includeUsage;
        try
        {
            (model, stream, includeUsage) = await ReadRequestAsync(context);
        }
        catch (JsonException)
        {
            response.StatusCode = 400;
            response.ContentType = "application/json";
            await response.WriteAsync("""{"error":{"message":"bad JSON","type":"invalid_request_error","param":null,"code":null}}""");
            return;
        }

        Interlocked.Increment(ref s_requests);
#pragma warning disable CA5394 // a failure draw, not a secret
        var r = Random.Shared.NextDouble();
#pragma warning restore CA5394
        if (r < failRate)
        {
            Interlocked.Increment(ref s_failed);
            response.StatusCode = 500;
            response.ContentType = "application/json";
            await response.WriteAsync(
                """{"error":{"message":"The server had an error while processing your request (injected by the bench).","type":"server_error","param":null,"code":null}}""",
                aborted);
            return;
        }

        var id = "chatcmpl-chaos-" + Interlocked.Increment(ref s_ids).ToString("x", CultureInfo.InvariantCulture);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!stream)
        {
            Interlocked.Increment(ref s_ok);
            var json = $$$"""{"id":"{{{id}}}","object":"chat.completion","created":{{{created}}},"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{{Text}}}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}""";
            response.ContentType = "application/json";
            response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(json);
            await response.WriteAsync(json, aborted);
            return;
        }

        var cut = r < failRate + cutRate;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        try
        {
            await SseChunks.WriteAsync(writer, id, created, model, role: true, content: "", finish: null, usage: false, aborted);
            var pieces = cut ? Math.Min(cutAfter, Pieces.Length) : Pieces.Length;
            for (var i = 0; i < pieces; i++)
            {
                await SseChunks.WriteAsync(writer, id, created, model, role: false, content: Pieces[i], finish: null, usage: false, aborted);
            }

            if (cut)
            {
                Interlocked.Increment(ref s_cut);
                // Abort() drops what Kestrel has not yet handed to the socket: let the flushed chunks leave first.
                await Task.Delay(CutGrace, aborted);
                context.Abort();
                return;
            }

            await SseChunks.WriteAsync(writer, id, created, model, role: false, content: null, finish: "stop", usage: false, aborted);
            if (includeUsage)
            {
                await SseChunks.WriteAsync(writer, id, created, model, role: false, content: null, finish: null, usage: true, aborted);
            }

            writer.Write("data: [DONE]\n\n"u8);
            await writer.FlushAsync(aborted);
            Interlocked.Increment(ref s_ok);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The gateway left mid-stream.
        }
    }

    /// <summary>The counts so far, as served by <c>GET /bench/stats</c>: chat requests, 500s, streams cut, good answers.</summary>
    private static string Stats() => string.Create(CultureInfo.InvariantCulture,
        $$"""{"requests":{{Interlocked.Read(ref s_requests)}},"failed_500":{{Interlocked.Read(ref s_failed)}},"cut":{{Interlocked.Read(ref s_cut)}},"ok":{{Interlocked.Read(ref s_ok)}}}""");

    private static async Task<(string Model, bool Stream, bool IncludeUsage)> ReadRequestAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        var root = body.RootElement;
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "fake-model";
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var usage = root.TryGetProperty("stream_options", out var o) && o.ValueKind == JsonValueKind.Object &&
                    o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True;
        return (model, stream, usage);
    }
}
