using System.Text;
using System.Text.Json;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// The body an OpenAI-compatible upstream receives: the client's bytes with the model swapped for the upstream's name,
/// the gateway's own fields and null fields dropped, the thinking fields for this upstream added and, on a stream,
/// <c>stream_options.include_usage</c> on so the gateway sees the usage (the client still gets it only when it asked).
/// Messages, tools and every other field travel as the client wrote them.
/// </summary>
public static class UpstreamChatBody
{
    /// <summary>AbstractCore's extensions and fields the thinking mapping writes itself: consumed here, never forwarded.</summary>
    private static readonly string[] GatewayOnly =
        ["api_key", "base_url", "agent_format", "thinking", "timeout_s", "unload_after", "prompt_cache_binding", "reasoning_effort", "cache"];

    private static readonly byte[] IncludeUsage = """{"include_usage":true}"""u8.ToArray();
    private static readonly byte[] StreamOptions = "\"stream_options\":{\"include_usage\":true}"u8.ToArray();
    private static readonly byte[] Comma = ","u8.ToArray();

    /// <summary>Model names and finish reasons are few; a client may still send any, hence the bound.</summary>
    private static readonly BoundedCache<string, byte[]> QuotedNames = new(256, Quoted);

    /// <summary>AbstractCore's extensions in an Anthropic Messages body, which Anthropic would refuse; its own fields
    /// (thinking included) and nulls stay as sent.</summary>
    private static readonly string[] GatewayOnlyInMessages =
        ["api_key", "base_url", "agent_format", "timeout_s", "unload_after", "prompt_cache_binding"];

    public static byte[] Rewrite(ReadOnlySpan<byte> body, string model, bool stream, IReadOnlyList<(string Name, string Json)> added) =>
        Rewrite(body, model, stream, added, GatewayOnly, dropNulls: true);

    /// <summary>A Messages body for Anthropic itself: the model swapped, the gateway's fields dropped, every other byte kept
    /// (cache_control, thinking signatures, fields the gateway does not know).</summary>
    public static byte[] ForAnthropic(ReadOnlySpan<byte> body, string model) =>
        Rewrite(body, model, stream: false, [], GatewayOnlyInMessages, dropNulls: false);

    private static byte[] Rewrite(
        ReadOnlySpan<byte> body, string model, bool stream, IReadOnlyList<(string Name, string Json)> added, string[] gatewayOnly, bool dropNulls)
    {
        var splices = new JsonSplices();
        var reader = new Utf8JsonReader(body);
        reader.Read(); // the body was checked to be an object
        int prevEnd = (int)reader.BytesConsumed, closing = body.Length - 1;
        bool keptAny = false, removedAny = false, sawStreamOptions = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                closing = (int)reader.TokenStartIndex;
                break;
            }

            var nameStart = (int)reader.TokenStartIndex;
            var isModel = reader.ValueTextEquals("model"u8);
            var isStreamOptions = reader.ValueTextEquals("stream_options"u8);
            var drop = !isModel && !isStreamOptions && Dropped(ref reader, gatewayOnly, added);
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            drop |= dropNulls && reader.TokenType == JsonTokenType.Null;
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;

            if (drop)
            {
                var start = keptAny || removedAny ? prevEnd : nameStart; // with the comma before it, when there is one
                splices.Remove(start, valueEnd - start);
                removedAny = true;
            }
            else
            {
                if (!keptAny && removedAny)
                {
                    splices.Remove(prevEnd, nameStart - prevEnd); // the comma after properties removed before this one
                }

                keptAny = true;
                if (isModel)
                {
                    splices.Replace(valueStart, valueEnd - valueStart, QuotedName(model));
                }
                else if (isStreamOptions && stream)
                {
                    sawStreamOptions = true;
                    splices.Replace(valueStart, valueEnd - valueStart, IncludeUsage);
                }
            }

            prevEnd = valueEnd;
        }

        // Added fields go before the closing brace in order (insertions at one point keep theirs), commas between.
        var first = !keptAny;
        foreach (var (name, json) in added)
        {
            Append(ref splices, closing, ref first, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name, ChatJsonContext.Default.String) + ":" + json));
        }

        if (stream && !sawStreamOptions)
        {
            Append(ref splices, closing, ref first, StreamOptions);
        }

        return splices.Apply(body);
    }

    private static void Append(ref JsonSplices splices, int closing, ref bool first, byte[] field)
    {
        if (!first)
        {
            splices.Insert(closing, Comma);
        }

        splices.Insert(closing, field);
        first = false;
    }

    private static bool Dropped(ref Utf8JsonReader reader, string[] gatewayOnly, IReadOnlyList<(string Name, string Json)> added)
    {
        foreach (var name in gatewayOnly)
        {
            if (reader.ValueTextEquals(name))
            {
                return true;
            }
        }

        foreach (var (name, _) in added)
        {
            if (reader.ValueTextEquals(name))
            {
                return true; // written once, at the end, as the thinking mapping says
            }
        }

        return false;
    }

    /// <summary>A name as a JSON string, shared between calls: never to be written into.</summary>
    internal static byte[] QuotedName(string name) => QuotedNames.Get(name);

    internal static byte[] Quoted(string value) => JsonSerializer.SerializeToUtf8Bytes(value, ChatJsonContext.Default.String);
}
