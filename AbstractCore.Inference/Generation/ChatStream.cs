using System.Threading.Channels;
using AbstractCore.Inference.Residency;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;

namespace AbstractCore.Inference.Generation;

/// <summary>
/// A streamed answer: the token loop runs on its own thread (<see cref="TokenLoop.Start"/>) and hands each decoded piece over a channel, so
/// the next token is computed while the previous one is written. One chunk per piece, then the finish chunk,
/// the usage chunk when asked for, and <c>[DONE]</c>. A client that goes away stops the loop before its next token.
/// </summary>
internal static class ChatStream
{
    private const int Backlog = 256; // tokens a tick can gather before the loop waits for the writer

    /// <summary>Stands for a token's text in the content chunk serialized once per stream (<see cref="SseTemplate"/>).</summary>
    private static readonly string ContentMarker = "acore-content-" + Guid.NewGuid().ToString("N");

    /// <summary>Waits for room (the client is slow); returns quietly on cancellation, which the loop then sees.</summary>
    private static void Emit(ChannelWriter<string> writer, string piece, CancellationToken aborted)
    {
        try
        {
            while (!writer.TryWrite(piece))
            {
                if (!writer.WaitToWriteAsync(aborted).AsTask().GetAwaiter().GetResult())
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static async Task WriteAsync(
        HttpContext context, ResidentModel resident, GenerationPlan plan, bool includeUsage, string id, long created, string model,
        StreamClock clock, Telemetry.GenerationTelemetry? telemetry = null)
    {
        var aborted = context.RequestAborted;
        // Bounded: a client that stops reading holds the loop (and its slot) without piling up memory.
        var pieces = Channel.CreateBounded<string>(new BoundedChannelOptions(Backlog) { SingleReader = true, SingleWriter = true });
        var generation = TokenLoop.Start(() =>
        {
            try
            {
                return TokenLoop.Run(resident.Model, resident.PromptCache, plan, piece => Emit(pieces.Writer, piece, aborted), aborted);
            }
            finally
            {
                pieces.Writer.TryComplete();
            }
        });

        // Headers wait for the first token (or the end): a model that fails in prefill still gets an error status.
        try
        {
            if (!await pieces.Reader.WaitToReadAsync(aborted))
            {
                await generation;
            }
            else
            {
                telemetry?.FirstToken();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            await generation;
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        using var sse = new SseWriter(context.Response.BodyWriter);
        ChatCompletionChunk Chunk(ChunkDelta delta, string? finish = null) => new()
        {
            Id = id, Created = created, Model = model,
            Choices = [new ChunkChoice { Index = 0, Delta = delta, FinishReason = finish }],
        };

        var content = SseTemplate.For(Chunk(new ChunkDelta { Content = ContentMarker }), OpenAIJsonContext.Wire.ChatCompletionChunk, ContentMarker);
        try
        {
            await sse.WriteAsync(Chunk(new ChunkDelta { Role = "assistant", Content = "" }), OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
            // One chunk per token; tokens already waiting leave together in one flush, then the next ones gather until
            // the clock's next tick (the loop keeps generating meanwhile).
            while (await pieces.Reader.WaitToReadAsync(aborted))
            {
                while (pieces.Reader.TryRead(out var piece))
                {
                    sse.Write(content, piece);
                }

                await sse.FlushAsync(aborted);
                if (!generation.IsCompleted)
                {
                    // The answer's end does not wait for the tick: its last tokens and the finish leave at once, and the
                    // next request (the model idle until then) can start. A client that leaves stops the loop, which ends this wait.
                    await Task.WhenAny(clock.NextTickAsync(), generation);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            await generation; // the loop sees the same token and ends before its next token
            return;
        }

        var result = await generation;
        telemetry?.Result(result, id, model);
        if (result.FinishReason == GenerationResult.Cancelled)
        {
            return;
        }

        await sse.WriteAsync(Chunk(new ChunkDelta(), result.FinishReason), OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
        if (includeUsage)
        {
            await sse.WriteAsync(new ChatCompletionChunk { Id = id, Created = created, Model = model, Choices = [], Usage = ChatCompletionsApi.Usage(result) },
                OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
        }

        await sse.WriteDoneAsync(aborted);
    }
}
