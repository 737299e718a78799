using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using AbstractCore.Api.Hosting;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Chat.Forwarding;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;
using AbstractCore.Providers;
using AbstractCore.Routing;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Chat.Relay;

/// <summary>
/// A chat completion for an OpenAI-compatible upstream, relayed as bytes: the client's body rewritten in one pass
/// (<see cref="UpstreamChatBody"/>), sent over the pooled handler, and the answer passed back in one pass
/// (<see cref="ChatAnswerRewriter"/>), a stream frame by frame as each arrives, tool-call argument fragments included.
/// Keys, base_url rules, deadlines, <c>unload_after</c> and telemetry are those of every chat call (<see cref="ChatCalls"/>).
/// </summary>
public sealed partial class ChatRelay(UpstreamHttp http, ILogger<ChatRelay> logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEvents = new("text/event-stream");

    /// <summary>How often at most the per-silence deadline is pushed back while chunks keep coming.</summary>
    private static readonly long IdleResetTicks = Stopwatch.Frequency;

    public async Task SendAsync(
        HttpContext context, ChatCall call, ModelRef model, ReadOnlyMemory<byte> upstreamBody, bool stream, bool clientWantsUsage,
        CancellationTokenSource deadline)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl(call.Endpoint.BaseUrl))
        {
            Content = new ReadOnlyMemoryContent(upstreamBody) { Headers = { ContentType = Json } },
        };
        request.Headers.Accept.Add(stream ? AcceptEvents : AcceptJson);
        ProviderHeaders.Apply(request, call.Endpoint);

        using var response = await http.For(call.Endpoint).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, deadline.Token);
        }

        var rewriter = new ChatAnswerRewriter(model.ToString(), call.Format.IsStructured() && call.ToolsOffered);
        if (stream)
        {
            await RelayStreamAsync(context, call, model, response, rewriter, clientWantsUsage, deadline);
        }
        else
        {
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            context.Response.ContentType = "application/json";
            CompletionAnswer.Write(body, rewriter, context.Response.BodyWriter);
            call.Telemetry?.Relayed(rewriter.Facts);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }

    private async Task RelayStreamAsync(
        HttpContext context, ChatCall call, ModelRef model, HttpResponseMessage response, ChatAnswerRewriter rewriter, bool clientWantsUsage,
        CancellationTokenSource deadline)
    {
        var body = await response.Content.ReadAsStreamAsync(deadline.Token);
        await using var frames = SseParser.Create(body, static (_, data) => data.ToArray()).EnumerateAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);
        if (!await frames.MoveNextAsync())
        {
            throw new GatewayException(502, $"Provider '{model.Provider}' returned an empty or unreadable stream.",
                "upstream_error", code: "upstream_invalid_response");
        }

        EventStream.Begin(context);
        var pipe = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var lastReset = Stopwatch.GetTimestamp();
        var writer = new ChunkWriter(pipe, rewriter);
        try
        {
            while (true)
            {
                var frame = frames.Current.Data;
                if (frame.AsSpan().SequenceEqual("[DONE]"u8))
                {
                    break;
                }

                if (writer.Write(frame, clientWantsUsage) == AnswerKind.Error)
                {
                    call.Telemetry?.Fail(new GatewayException(502, $"Provider '{model.Provider}' sent an error in its stream.", "upstream_error"));
                    await pipe.FlushAsync(aborted);
                    return; // the upstream's error went out as it came; no [DONE] after it
                }

                call.Telemetry?.FirstChunk();
                if (Stopwatch.GetTimestamp() - lastReset > IdleResetTicks)
                {
                    deadline.CancelAfter(call.Timeout); // the deadline is per silence, pushed back at most once a second
                    lastReset = Stopwatch.GetTimestamp();
                }

                if (!await EventStream.NextAsync(frames, pipe, aborted))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            // Headers are gone: the failure travels in-band, then the stream ends without [DONE].
            var failure = e is OperationCanceledException ? UpstreamFailure.Timeout(model.Provider, call.Timeout)
                : KeyScrubbing.Scrub(UpstreamFailure.From(e, model.Provider), call.Endpoint.ApiKey);
            LogStreamFailure(logger, model.ToString(), failure.Message);
            call.Telemetry?.Fail(failure);
            using var sse = new SseWriter(pipe);
            await sse.WriteAsync(failure.ToEnvelope(), OpenAIJsonContext.Wire.ErrorEnvelope, aborted);
            return;
        }

        writer.WriteTail();
        call.Telemetry?.Relayed(rewriter.Facts);
        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(aborted);
    }

    private static Uri ChatUrl(Uri baseUrl) =>
        new(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri + "chat/completions" : baseUrl.AbsoluteUri + "/chat/completions");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
