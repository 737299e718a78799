using System.Buffers.Binary;

namespace AbstractCore.Api.Audio;

/// <summary>A WAV file's length in seconds from its header alone: the <c>fmt </c> chunk's byte rate and the <c>data</c>
/// chunk's size (or, for a streamed WAV that left it unset, the bytes that follow it).</summary>
internal static class WavDuration
{
    private const int MaxChunks = 64;

    /// <summary>The seconds of audio, or null when <paramref name="audio"/> is not a WAV this can read. The stream is
    /// left at its start.</summary>
    public static double? Seconds(Stream audio)
    {
        if (!audio.CanSeek)
        {
            return null;
        }

        try
        {
            audio.Position = 0;
            Span<byte> head = stackalloc byte[16];
            if (!Fill(audio, head[..12]) || !head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
            {
                return null;
            }

            uint byteRate = 0;
            for (var i = 0; i < MaxChunks && Fill(audio, head[..8]); i++)
            {
                var size = BinaryPrimitives.ReadUInt32LittleEndian(head[4..8]);
                var body = audio.Position;
                var left = audio.Length - body;
                if (head[..4].SequenceEqual("fmt "u8))
                {
                    if (size < 16 || !Fill(audio, head))
                    {
                        return null;
                    }

                    byteRate = BinaryPrimitives.ReadUInt32LittleEndian(head[8..12]);
                }
                else if (head[..4].SequenceEqual("data"u8))
                {
                    var bytes = size == 0 || size == uint.MaxValue || size > left ? left : size;
                    return byteRate == 0 ? null : (double)bytes / byteRate;
                }

                audio.Position = body + size + (size & 1); // chunks are padded to an even length
            }

            return null;
        }
        finally
        {
            audio.Position = 0;
        }
    }

    private static bool Fill(Stream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
