using System.Text.Json;

namespace AbstractCore.Api.Caching;

/// <summary>
/// The frames of a chat stream as the gateway writes them: <c>data: …</c> lines, each event ended by a blank line
/// (<c>\n\n</c>; a payload is one line of JSON, so it never holds one).
/// </summary>
internal static class SseFrames
{
    private static ReadOnlySpan<byte> End => "\n\n"u8;

    private static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    /// <summary>Each event with its blank line, in order; bytes after the last blank line (none in a complete stream) are the last item.</summary>
    public static List<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> body)
    {
        var frames = new List<ReadOnlyMemory<byte>>();
        while (!body.IsEmpty)
        {
            var end = body.Span.IndexOf(End);
            var length = end < 0 ? body.Length : end + End.Length;
            frames.Add(body[..length]);
            body = body[length..];
        }

        return frames;
    }

    /// <summary>A stream worth keeping: it ended with <c>data: [DONE]</c> and no event before it carried an error.</summary>
    public static bool Complete(ReadOnlyMemory<byte> body)
    {
        if (!body.Span.EndsWith(Done))
        {
            return false; // an upstream error, a broken stream or a client that left ends without [DONE]
        }

        foreach (var frame in Split(body))
        {
            if (CarriesError(frame.Span))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A data payload with a non-null top-level <c>error</c> (an upstream's in-band error, or the gateway's failure chunk).</summary>
    private static bool CarriesError(ReadOnlySpan<byte> frame)
    {
        if (frame.IndexOf("\"error\""u8) < 0)
        {
            return false;
        }

        var data = frame.IndexOf("data:"u8);
        if (data < 0)
        {
            return false;
        }

        var reader = new Utf8JsonReader(frame[(data + 5)..].TrimEnd("\n"u8).Trim(" "u8));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError)
                {
                    return reader.TokenType != JsonTokenType.Null;
                }

                reader.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return true; // not a chunk the gateway wrote: not worth replaying
        }
    }
}
