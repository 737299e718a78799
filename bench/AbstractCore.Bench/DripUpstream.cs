using System.Buffers;
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
/// A slow-drip OpenAI-compatible upstream for the many-streams stage (bench-only; TestKit's fake answers at once).
/// A streamed <c>POST /v1/chat/completions</c> gets the role chunk, then one one-word content chunk every
/// <c>--interval-ms</c> for <c>max_tokens</c> chunks, then the finish chunk and <c>[DONE]</c>; so the client decides how
/// long a stream is held. A non-streamed request gets a short completion at once (the gateway's probe, curl).
/// </summary>
internal static class DripUpstream
{
    public static async Task<int> RunAsync(Options options)
    {
        var interval = TimeSpan.FromMilliseconds(options.Double("interval-ms", 500));
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentException("--interval-ms must be positive");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear(); // nothing from the environment (ASPNETCORE_URLS, appsettings) leaks in
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        // No Kestrel connection limit is set by default; the listen backlog is raised for the clients' ramp-up.
        builder.WebHost.UseKestrel(o => o.AddServerHeader = false);
        builder.WebHost.UseSockets(o => o.Backlog = 4096);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => HandleAsync(context, interval));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        await Console.Out.WriteLineAsync(address.TrimEnd('/') + "/v1/");
        await Console.Out.FlushAsync();

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await stop.Task;
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

    private static async Task HandleAsync(HttpContext context, TimeSpan interval)
    {
        var path = context.Request.Path.Value ?? "";
        if (HttpMethods.IsGet(context.Request.Method) && path.EndsWith("/models", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"list","data":[{"id":"fake-model","object":"model","created":0,"owned_by":"bench"}]}""");
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method) || !path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}""");
            return;
        }

        var (model, stream, chunks) = await ReadRequestAsync(context);
        var aborted = context.RequestAborted;
        var id = "chatcmpl-drip-" + Guid.NewGuid().ToString("N")[..12];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                $$$"""{"id":"{{{id}}}","object":"chat.completion","created":{{{created}}},"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"drip"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""",
                aborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var writer = context.Response.BodyWriter;
        try
        {
            await SseChunks.WriteAsync(writer, id, created, model, role: true, content: "", finish: null, usage: false, aborted);
            using var timer = new PeriodicTimer(interval);
            for (var i = 0; i < chunks; i++)
            {
                await timer.WaitForNextTickAsync(aborted);
                await SseChunks.WriteAsync(writer, id, created, model, role: false, content: "tick ", finish: null, usage: false, aborted);
            }

            await SseChunks.WriteAsync(writer, id, created, model, role: false, content: null, finish: "stop", usage: false, aborted);
            writer.Write("data: [DONE]\n\n"u8);
            await writer.FlushAsync(aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left mid-stream: nothing more to send.
        }
    }

    private static async Task<(string Model, bool Stream, int Chunks)> ReadRequestAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        var root = body.RootElement;
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "fake-model";
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var chunks = root.TryGetProperty("max_tokens", out var t) && t.TryGetInt32(out var n) && n > 0 ? n : 16;
        return (model, stream, chunks);
    }
}
