using System.Text.Json;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// The top-level <c>usage</c> of a whole chat completion, read before the answer is relayed (the relay's rewriter reads it
/// only while writing, after the headers are gone). One forward pass; every other value is skipped.
/// </summary>
public readonly record struct CompletionUsage(long? Input, long? Output, long? CachedInput)
{
    public static CompletionUsage? Read(ReadOnlySpan<byte> answer)
    {
        try
        {
            var reader = new Utf8JsonReader(answer);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage && reader.TokenType == JsonTokenType.StartObject)
                {
                    return ReadUsage(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON the gateway can read: the relay passes it on as it is, unbilled by tokens.
        }

        return null;
    }

    private static CompletionUsage ReadUsage(ref Utf8JsonReader reader)
    {
        long? input = null, output = null, cached = null;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("prompt_tokens"u8) && reader.CurrentDepth == depth + 1)
            {
                input = Number(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) && reader.CurrentDepth == depth + 1)
            {
                output = Number(ref reader);
            }
            else if (reader.ValueTextEquals("cached_tokens"u8))
            {
                cached = Number(ref reader);
            }
        }

        return new CompletionUsage(input, output, cached);
    }

    private static long? Number(ref Utf8JsonReader reader) =>
        reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
}
