using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat.AgentFormats;

/// <summary>
/// Applies an <see cref="AgentFormat"/> to answers: text formats get their tool calls written into the
/// content in the family's syntax; structured formats get calls a model wrote as text parsed into real
/// tool calls (and the markup removed). Works on the abstraction, so every provider gets it.
/// </summary>
public static class AgentFormatting
{
    public static void Apply(ChatResponse response, AgentFormat format, bool toolsOffered)
    {
        var message = response.Messages.LastOrDefault(m => m.Role == ChatRole.Assistant);
        if (message is null || format == AgentFormat.Passthrough)
        {
            return;
        }

        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (format.IsText() && calls.Count > 0)
        {
            // The structured calls stay (the original keeps them too when not streamed).
            ReplaceText(message, ToolCallText.Append(format, text, calls.Select(c => (c.Name, Arguments(c)))));
        }
        else if (format.IsStructured() && calls.Count == 0 && toolsOffered && ToolCallText.ContainsCall(text))
        {
            var (cleaned, parsed) = ToolCallText.Extract(text);
            if (parsed.Count > 0)
            {
                ReplaceText(message, cleaned);
                foreach (var (name, arguments) in parsed)
                {
                    message.Contents.Add(ParsedCall(name, arguments));
                }

                response.FinishReason = ChatFinishReason.ToolCalls;
            }
        }
    }

    /// <summary>The stream as the format wants it; the stream itself (no wrapper) when there is nothing to change.</summary>
    public static IAsyncEnumerable<ChatResponseUpdate> Apply(IAsyncEnumerable<ChatResponseUpdate> updates, AgentFormat format, bool toolsOffered) =>
        format == AgentFormat.Passthrough || (format.IsStructured() && !toolsOffered) ? updates : Formatted(updates, format);

    private static async IAsyncEnumerable<ChatResponseUpdate> Formatted(
        IAsyncEnumerable<ChatResponseUpdate> updates, AgentFormat format, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var scanner = format.IsStructured() ? new TextCallScanner() : null;
        var sawText = false;
        await foreach (var update in updates.WithCancellation(cancellationToken))
        {
            if (scanner is null)
            {
                // Text format: each call is also written into the content in the family's syntax, just before the
                // structured call itself, which stays so clients reading tool_calls still get it.
                for (var i = 0; i < update.Contents.Count; i++)
                {
                    if (update.Contents[i] is FunctionCallContent call)
                    {
                        update.Contents.Insert(i++, new TextContent((sawText ? "\n\n" : "") + ToolCallText.Render(format, call.Name, Arguments(call))));
                        sawText = true;
                    }
                    else if (update.Contents[i] is TextContent { Text.Length: > 0 })
                    {
                        sawText = true;
                    }
                }
            }
            else
            {
                for (var i = 0; i < update.Contents.Count; i++)
                {
                    if (update.Contents[i] is TextContent t)
                    {
                        update.Contents[i] = new TextContent(scanner.Push(t.Text)) { RawRepresentation = t.RawRepresentation };
                    }
                }
            }

            yield return update;
        }

        if (scanner?.Finish() is { } tail)
        {
            yield return TailUpdate(tail);
        }
    }

    /// <summary>What the scanner held at the end: text, or the calls it held and the text around them.</summary>
    private static ChatResponseUpdate TailUpdate((string Text, List<(string Name, string Arguments)> Calls) tail)
    {
        var update = new ChatResponseUpdate { Role = ChatRole.Assistant };
        if (tail.Text.Length > 0)
        {
            update.Contents.Add(new TextContent(tail.Text));
        }

        foreach (var (name, arguments) in tail.Calls)
        {
            update.Contents.Add(ParsedCall(name, arguments));
        }

        if (tail.Calls.Count > 0)
        {
            update.FinishReason = ChatFinishReason.ToolCalls;
        }

        return update;
    }

    private static void ReplaceText(ChatMessage message, string text)
    {
        var first = message.Contents.IndexOf(message.Contents.FirstOrDefault(c => c is TextContent)!);
        foreach (var t in message.Contents.OfType<TextContent>().ToList())
        {
            message.Contents.Remove(t);
        }

        message.Contents.Insert(first < 0 ? 0 : Math.Min(first, message.Contents.Count), new TextContent(text));
    }

    private static string Arguments(FunctionCallContent call) => call.RawRepresentation switch
    {
        _ when call is Streaming.StreamedFunctionCallContent streamed => streamed.ArgumentsJson,
        OpenAI.Chat.ToolCallDto dto when dto.Function?.Arguments is { } raw => raw,
        _ => call.Arguments is null ? "{}" : System.Text.Json.JsonSerializer.Serialize(call.Arguments, ChatJsonContext.Default.IDictionaryStringObject),
    };

    private static FunctionCallContent ParsedCall(string name, string arguments)
    {
        Dictionary<string, object?>? parsed = null;
        try
        {
            parsed = System.Text.Json.JsonSerializer.Deserialize(arguments, ChatJsonContext.Default.DictionaryStringObject);
        }
        catch (System.Text.Json.JsonException)
        {
            parsed = new() { ["value"] = arguments };
        }

        return new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..24], name, parsed);
    }
}
