using System.Text.Json;

namespace AbstractCore.Api.Messages;

/// <summary>
/// The usage in what Anthropic answers, for the bill: a message's <c>usage</c>, or a stream's <c>message_start</c>
/// (input and cache reads) and <c>message_delta</c> (output). Anthropic counts cached input apart from
/// <c>input_tokens</c>; the bill counts it within the input, as OpenAI does.
/// </summary>
internal sealed class AnthropicUsage(Telemetry.ChatCallTelemetry telemetry)
{
    private long? _input;
    private long? _cached;

    /// <summary>A whole message: its usage goes to the bill before its body is written.</summary>
    public void Message(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        if (document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("usage", out var usage))
        {
            Read(usage);
            telemetry.Usage(_input, Long(usage, "output_tokens"), _cached);
        }
    }

    /// <summary>Whole events as relayed: each generated delta counts as arrived, the usage is billed when the stream says it.</summary>
    public void Events(ReadOnlySpan<byte> events)
    {
        foreach (var range in events.Split((byte)'\n'))
        {
            var line = events[range];
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            using var document = Parse(line[5..]);
            if (document?.RootElement is not { ValueKind: JsonValueKind.Object } data || !data.TryGetProperty("type", out var type))
            {
                continue;
            }

            switch (type.GetString())
            {
                case "content_block_delta":
                    telemetry.Chunk();
                    break;
                case "message_start" when data.TryGetProperty("message", out var message) && message.TryGetProperty("usage", out var usage):
                    Read(usage);
                    break;
                case "message_delta" when data.TryGetProperty("usage", out var usage):
                    Read(usage);
                    telemetry.Usage(_input, Long(usage, "output_tokens"), _cached);
                    break;
            }
        }
    }

    private void Read(JsonElement usage)
    {
        if (Long(usage, "input_tokens") is not { } input)
        {
            return;
        }

        var read = Long(usage, "cache_read_input_tokens") ?? 0;
        _input = input + read + (Long(usage, "cache_creation_input_tokens") ?? 0);
        _cached = read;
    }

    private static long? Long(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : null;

    private static JsonDocument? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json.TrimStart(" "u8));
            return JsonDocument.TryParseValue(ref reader, out var document) ? document : null;
        }
        catch (JsonException)
        {
            return null; // not JSON: relayed as it is, billed by what arrived
        }
    }
}
