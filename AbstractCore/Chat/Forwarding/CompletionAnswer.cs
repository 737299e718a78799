using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Upstream;

namespace AbstractCore.Chat.Forwarding;

/// <summary>A whole (non-streamed) completion on its way back: one rewriting pass, and tool-call markup turned into
/// calls only when the scan found some.</summary>
public static class CompletionAnswer
{
    /// <summary>Rewrites the answer (refusing one that is an error), then writes it; nothing is written when it fails.</summary>
    public static void Write(ReadOnlySpan<byte> body, ChatAnswerRewriter rewriter, IBufferWriter<byte> output)
    {
        var splices = rewriter.Rewrite(body, chunk: false, out var kind);
        if (kind == AnswerKind.Error)
        {
            throw new UpstreamHttpException(502, Encoding.UTF8.GetString(body)); // an error with status 200
        }

        if (rewriter.TextCallsFound && !rewriter.Facts.SawToolCalls)
        {
            output.Write(WithTextCalls(splices.Apply(body), rewriter.Facts));
        }
        else
        {
            splices.WriteTo(body, output);
        }
    }

    /// <summary>Calls the model wrote as text become structured calls, the markup leaves the content.</summary>
    private static byte[] WithTextCalls(byte[] answer, ChatAnswerFacts facts)
    {
        var root = JsonNode.Parse(answer)!;
        if (root["choices"]?[0] is not JsonObject choice || choice["message"] is not JsonObject message ||
            message["content"]?.GetValue<string>() is not { } content)
        {
            return answer;
        }

        var (cleaned, calls) = ToolCallText.Extract(content);
        if (calls.Count == 0)
        {
            return answer;
        }

        message["content"] = cleaned.Length == 0 ? null : cleaned;
        message["tool_calls"] = new JsonArray([.. calls.Select((c, i) => (JsonNode)ParsedCalls.ToJson(c.Name, c.Arguments, index: null))]);
        choice["finish_reason"] = "tool_calls";
        facts.SawToolCalls = true;
        facts.FinishReason = "tool_calls";
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }
}
