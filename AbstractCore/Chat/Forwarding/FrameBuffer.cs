using System.Buffers;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// The stream frame being relayed, copied out of the SSE parser's callback (whose span lives only during the call) into
/// one pooled buffer reused frame after frame: a frame is written out before the parser is asked for the next one.
/// </summary>
public sealed class FrameBuffer : IDisposable
{
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(4096);

    /// <summary>A copy of <paramref name="data"/>, valid until the next call.</summary>
    public ReadOnlyMemory<byte> Hold(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (data.Length > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        }

        data.CopyTo(_buffer);
        return _buffer.AsMemory(0, data.Length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
