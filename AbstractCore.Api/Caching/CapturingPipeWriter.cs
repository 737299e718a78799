using System.IO.Pipelines;

namespace AbstractCore.Api.Caching;

/// <summary>The response's pipe with every advanced byte also handed to <see cref="AnswerCapture"/>; flushes and completion pass through.</summary>
internal sealed class CapturingPipeWriter(PipeWriter inner, AnswerCapture capture) : PipeWriter
{
    /// <summary>The memory last lent to the writer: <see cref="Advance"/> copies what was written into it.</summary>
    private Memory<byte> _lent;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        capture.Keep(_lent.Span[..bytes]);
        _lent = default;
        inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        capture.Keep(source.Span);
        return inner.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
