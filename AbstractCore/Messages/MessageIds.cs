using System.Security.Cryptography;

namespace AbstractCore.Messages;

/// <summary>Anthropic-shaped ids: <c>msg_…</c> for answers, <c>toolu_…</c> for tool calls.</summary>
public static class MessageIds
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewMessage() => "msg_" + Random(24);

    /// <summary>
    /// The tool_use id for an upstream call id: stable (<c>toolu_</c> + the upstream id, characters outside
    /// <c>[A-Za-z0-9_-]</c> as <c>_</c>), so the id a client sends back in its tool_result is the one the conversation
    /// carries upstream; a fresh one when the upstream gave none.
    /// </summary>
    public static string ToolUse(string? upstreamId)
    {
        if (string.IsNullOrEmpty(upstreamId))
        {
            return "toolu_" + Random(24);
        }

        var prefixed = upstreamId.StartsWith("toolu_", StringComparison.Ordinal) ? upstreamId : "toolu_" + upstreamId;
        return string.Create(prefixed.Length, prefixed, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_';
            }
        });
    }

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
