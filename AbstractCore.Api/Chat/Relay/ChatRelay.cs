using System.Buffers;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using AbstractCore.Api.Hosting;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Chat.Forwarding;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;
using AbstractCore.Pipeline;
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
internal sealed partial class ChatRelay(UpstreamHttp http, ILogger<ChatRelay> logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEvents = new("text/event-stream");

    /// <summary>Base URLs and models are few (configured ones, and what requests chose), so each is built once.</summary>
    private static readonly BoundedCache<string, Uri> ChatUrls = new(256,
        static baseUrl => new Uri(baseUrl.EndsWith('/') ? baseUrl + "chat/completions" : baseUrl + "/chat/completions"));

    private static readonly BoundedCache<ModelRef, string> ClientModels = new(256, static model => model.ToString());

    /// <summary>A whole answer is read into a pooled buffer of its Content-Length (up to this), else of a typical size, grown as needed.</summary>
    private const int MaxPresized = 1 << 20;
    private const int TypicalAnswer = 16 * 1024;

    public async Task SendAsync(
        HttpContext context, ChatPlan plan, Telemetry.ChatCallTelemetry? telemetry, ReadOnlyMemory<byte> upstreamBody, bool stream,
        bool clientWantsUsage, CancellationTokenSource deadline)
    {
        var model = plan.Model;
        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrls.Get(plan.Endpoint.BaseUrl.AbsoluteUri))
        {
            Content = new ReadOnlyMemoryContent(upstreamBody) { Headers = { ContentType = Json } },
        };
        request.Headers.Accept.Add(stream ? AcceptEvents : AcceptJson);
        ProviderHeaders.Apply(request, plan.Endpoint);

        using var response = await http.RelayFor(plan.Endpoint).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        ContentDecoding.Apply(response);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, deadline.Token);
        }

        var rewriter = new ChatAnswerRewriter(plan.Alias?.Name ?? ClientModels.Get(model), plan.Format.IsStructured() && plan.ToolsOffered);
        if (stream)
        {
            await RelayStreamAsync(context, plan, telemetry, response, rewriter, clientWantsUsage, deadline);
            return;
        }

        var (buffer, length) = await ReadAnswerAsync(response.Content, deadline.Token);
        try
        {
            if (telemetry is not null && CompletionUsage.Read(buffer.AsSpan(0, length)) is { } usage)
            {
                telemetry.Usage(usage.Input, usage.Output, usage.CachedInput); // before the body: its cost is a header
            }

            context.Response.ContentType = "application/json";
            CompletionAnswer.Write(buffer.AsSpan(0, length), rewriter, context.Response.BodyWriter);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer); // the answer was copied into the response pipe
        }

        telemetry?.Relayed(rewriter.Facts);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The whole answer in a buffer from the shared pool, which the caller returns.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(byte[] Buffer, int Length)> ReadAnswerAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Clamp(content.Headers.ContentLength + 1 ?? TypicalAnswer, 1, MaxPresized)); // +1: the end is seen without growing
        var length = 0;
        var handedOver = false;
        try
        {
            await using var body = await content.ReadAsStreamAsync(cancellationToken);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    var bigger = pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    pool.Return(buffer);
                    buffer = bigger;
                }
            }

            handedOver = true;
            return (buffer, length);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw new HttpRequestException("Error while copying content to a stream.", e); // as ReadAsByteArrayAsync reported it
        }
        finally
        {
            if (!handedOver)
            {
                pool.Return(buffer);
            }
        }
    }

    private async Task RelayStreamAsync(
        HttpContext context, ChatPlan plan, Telemetry.ChatCallTelemetry? telemetry, HttpResponseMessage response, ChatAnswerRewriter rewriter,
        bool clientWantsUsage, CancellationTokenSource deadline)
    {
        var model = plan.Model;
        var body = await response.Content.ReadAsStreamAsync(deadline.Token);
        using var held = new FrameBuffer();
        await using var frames = SseParser.Create(body, (_, data) => held.Hold(data)).EnumerateAsync(deadline.Token).GetAsyncEnumerator(deadline.Token);
        if (!await frames.MoveNextAsync())
        {
            throw new GatewayException(502, $"Provider '{model.Provider}' returned an empty or unreadable stream.",
                "upstream_error", code: "upstream_invalid_response");
        }

        EventStream.Begin(context);
        var pipe = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var idle = new IdleDeadline(deadline, plan.IdleTimeout);
        var writer = new ChunkWriter(pipe, rewriter);
        try
        {
            while (true)
            {
                var frame = frames.Current.Data.Span;
                if (frame.SequenceEqual("[DONE]"u8))
                {
                    break;
                }

                if (writer.Write(frame, clientWantsUsage) == AnswerKind.Error)
                {
                    telemetry?.Fail(new GatewayException(502, $"Provider '{model.Provider}' sent an error in its stream.", "upstream_error"));
                    await pipe.FlushAsync(aborted);
                    return; // the upstream's error went out as it came; no [DONE] after it
                }

                telemetry?.Chunk();
                idle.Touch();

                if (!await EventStream.NextAsync(frames, pipe, aborted))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            // Headers are gone: the failure travels in-band, then the stream ends without [DONE].
            var failure = e is OperationCanceledException ? plan.TimeoutFailure(started: true)
                : KeyScrubbing.Scrub(UpstreamFailure.From(e, model.Provider), plan.Endpoint.ApiKey);
            LogStreamFailure(logger, rewriter.ClientModel, failure.Message);
            telemetry?.Fail(failure);
            using var sse = new SseWriter(pipe);
            var facts = rewriter.Facts;
            await sse.WriteAsync(StreamFailureChunk.Create(facts.Id, facts.Created, rewriter.ClientModel, failure), OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
            return;
        }

        writer.WriteTail();
        telemetry?.Relayed(rewriter.Facts);
        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(aborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
