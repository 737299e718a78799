using System.Buffers;
using System.Text.Json.Nodes;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// Writes relayed stream chunks as server-sent events: each rewritten as it passes, a usage-only chunk the client did
/// not ask for left out (the gateway asked for it), and text held back as possible tool-call markup sent as calls
/// (or as the text it was) just before the finish.
/// </summary>
public sealed class ChunkWriter(IBufferWriter<byte> output, ChatAnswerRewriter rewriter)
{
    public AnswerKind Write(ReadOnlySpan<byte> frame, bool clientWantsUsage)
    {
        var splices = rewriter.Rewrite(frame, chunk: true, out var kind);
        if (kind == AnswerKind.UsageOnly && !clientWantsUsage)
        {
            return kind;
        }

        if (rewriter.PendingTail is { } tail)
        {
            rewriter.PendingTail = null;
            WriteTail(tail);
        }

        splices.WriteTo(frame, output, "data: "u8, "\n\n"u8);
        return kind;
    }

    /// <summary>At the end of the stream: what the scanner still holds, if anything.</summary>
    public void WriteTail()
    {
        if (rewriter.Scanner?.Finish() is { } tail)
        {
            WriteTail(tail);
        }
    }

    private void WriteTail((string Text, List<(string Name, string Arguments)> Calls) tail)
    {
        var delta = new JsonObject();
        if (tail.Text.Length > 0)
        {
            delta["content"] = tail.Text;
        }

        if (tail.Calls.Count > 0)
        {
            delta["tool_calls"] = new JsonArray([.. tail.Calls.Select((c, i) => (JsonNode)ParsedCalls.ToJson(c.Name, c.Arguments, i))]);
        }

        var facts = rewriter.Facts;
        var chunk = new JsonObject
        {
            ["id"] = facts.Id,
            ["object"] = "chat.completion.chunk",
            ["created"] = facts.Created,
            ["model"] = rewriter.ClientModel,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null }),
        };
        output.Write("data: "u8);
        output.Write(System.Text.Encoding.UTF8.GetBytes(chunk.ToJsonString()));
        output.Write("\n\n"u8);
    }
}
