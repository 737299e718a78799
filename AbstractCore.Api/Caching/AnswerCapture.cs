using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace AbstractCore.Api.Caching;

/// <summary>
/// The response body of a cacheable miss, wrapped: whatever the handler writes (through <c>Response.BodyWriter</c>, as
/// the relay does, or <c>Response.Body</c>) goes to the client as before, and a copy is kept. Past
/// <see cref="MaxBytes"/> the copy is dropped and the answer is not stored.
/// </summary>
internal sealed class AnswerCapture : IHttpResponseBodyFeature
{
    /// <summary>The largest answer stored (also HybridCache's payload limit): long streams and big embedding batches pass through uncached.</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    private readonly IHttpResponseBodyFeature _inner;
    private ArrayBufferWriter<byte>? _copy = new(4096);

    private AnswerCapture(IHttpResponseBodyFeature inner)
    {
        _inner = inner;
        Writer = new CapturingPipeWriter(inner.Writer, this);
        Stream = new CapturingStream(inner.Stream, this);
    }

    public Stream Stream { get; }

    public PipeWriter Writer { get; }

    /// <summary>Puts the capture in front of the response body until <see cref="Stop"/>.</summary>
    public static AnswerCapture Start(HttpContext context)
    {
        var capture = new AnswerCapture(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        return capture;
    }

    /// <summary>Gives the response its own body back (an error written after this goes straight to the client).</summary>
    public void Stop(HttpContext context) => context.Features.Set(_inner);

    /// <summary>
    /// The answer to store, or null: only a 200 the client received whole, as JSON, or as a stream that ended with
    /// <c>[DONE]</c> and carried no error (<see cref="SseFrames.Complete"/>).
    /// </summary>
    public CachedAnswer? Answer(HttpContext context, bool stream, DateTimeOffset now)
    {
        var response = context.Response;
        if (_copy is not { WrittenCount: > 0 } copy || response.StatusCode != StatusCodes.Status200OK ||
            context.RequestAborted.IsCancellationRequested || response.ContentType is not { } contentType)
        {
            return null;
        }

        var complete = stream
            ? contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) && SseFrames.Complete(copy.WrittenMemory)
            : contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        return complete ? new CachedAnswer(contentType, stream, now, copy.WrittenSpan.ToArray()) : null;
    }

    internal void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is null)
        {
            return;
        }

        if (_copy.WrittenCount + bytes.Length > MaxBytes)
        {
            _copy = null; // too big to store: stop copying, keep relaying
            return;
        }

        _copy.Write(bytes);
    }

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    /// <summary>Through <see cref="Stream"/>, so the file's bytes are kept too.</summary>
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();
}
