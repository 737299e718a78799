using System.Buffers;

namespace AbstractCore.Security;

/// <summary>Reads a stream to its end, counting as it goes: a source whose declared size lied (or that declared none,
/// as a /proc file or a chunked download) still stops at the cap.</summary>
internal static class CappedRead
{
    /// <param name="sizeHint">The size the source reported, if any: the buffer starts there instead of growing to it.</param>
    /// <param name="tooLarge">The failure to throw once more than <paramref name="max"/> bytes arrived.</param>
    public static async Task<byte[]> ReadAsync(Stream source, long max, long? sizeHint, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(sizeHint is > 0 and var hint && hint <= max ? (int)hint : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw tooLarge();
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }
}
