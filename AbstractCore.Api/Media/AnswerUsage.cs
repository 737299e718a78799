using System.Text.Json;
using AbstractCore.Spend;

namespace AbstractCore.Api.Media;

/// <summary>
/// What an upstream's JSON answer says about its cost, read past everything else: an embeddings or images answer can
/// be megabytes of vectors or base64, so the top level is scanned and only <c>usage</c> is parsed.
/// </summary>
internal static class AnswerUsage
{
    /// <summary>The top-level <c>usage</c> object, the number of <c>data</c> items and a transcript's <c>duration</c>;
    /// all empty for an answer that is not a JSON object.</summary>
    public static AnswerFigures Scan(ReadOnlySpan<byte> json)
    {
        var figures = new AnswerFigures(null, 0, null);
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return figures;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan; // escaped names are not ours: OpenAI's are plain
                reader.Read();
                if (name.SequenceEqual("usage"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    figures = figures with { Usage = JsonElement.ParseValue(ref reader) };
                }
                else if (name.SequenceEqual("data"u8) && reader.TokenType == JsonTokenType.StartArray)
                {
                    var items = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items++;
                        reader.Skip();
                    }

                    figures = figures with { Items = items };
                }
                else if (name.SequenceEqual("duration"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    figures = figures with { Duration = reader.GetDouble() };
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The client gets the answer as it came; its bill has what was read before the fault.
        }

        return figures;
    }

    /// <summary>
    /// A <c>usage</c> object in the names OpenAI's APIs use: <c>input_tokens</c> or <c>prompt_tokens</c> (else
    /// <c>total_tokens</c> less the output), <c>output_tokens</c> or <c>completion_tokens</c>, the cached tokens of their
    /// details, and a transcription's <c>{"type":"duration","seconds"}</c>.
    /// </summary>
    public static Usage Read(JsonElement usage)
    {
        var output = Number(usage, "output_tokens") ?? Number(usage, "completion_tokens") ?? 0;
        var input = Number(usage, "input_tokens") ?? Number(usage, "prompt_tokens")
                    ?? (Number(usage, "total_tokens") is { } total ? Math.Max(total - output, 0) : 0);
        long cached = 0;
        foreach (var details in (string[])["input_tokens_details", "input_token_details", "prompt_tokens_details"])
        {
            if (usage.TryGetProperty(details, out var d) && d.ValueKind == JsonValueKind.Object && Number(d, "cached_tokens") is { } c)
            {
                cached = c;
                break;
            }
        }

        var seconds = usage.TryGetProperty("seconds", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0;
        return new Usage { InputTokens = input, OutputTokens = output, CachedInputTokens = cached, AudioSeconds = seconds };
    }

    private static long? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}

/// <summary>What <see cref="AnswerUsage.Scan"/> found: <paramref name="Duration"/> is a transcript's length in seconds.</summary>
internal readonly record struct AnswerFigures(JsonElement? Usage, int Items, double? Duration);
