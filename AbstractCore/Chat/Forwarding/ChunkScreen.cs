namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// A vectorised look at a streamed chunk before it is read: most chunks are a model's words, in which the rewrite
/// only swaps the model, so reading past it (the bulk of the bytes) can be skipped. A property name can only appear in
/// a chunk's bytes as itself (a quote inside a string is escaped) or escaped with <c>\u</c>, so these searches never
/// miss one that matters; a name that merely looks like one (or any <c>\u</c>) costs a full read, not a wrong answer.
/// </summary>
internal static class ChunkScreen
{
    /// <summary>
    /// True when nothing after the head can need an edit or hold a fact: no reasoning to rename, no tool calls, no
    /// error, and every <c>usage</c> and <c>finish_reason</c> null.
    /// </summary>
    public static bool OnlyHeadMatters(ReadOnlySpan<byte> json) =>
        json.IndexOf("\\u"u8) < 0
        && json.IndexOf("\"reasoning\""u8) < 0
        && json.IndexOf("\"tool_calls\""u8) < 0
        && json.IndexOf("\"error\""u8) < 0
        && EveryOneNull(json, "\"finish_reason\""u8)
        && EveryOneNull(json, "\"usage\""u8);

    private static bool EveryOneNull(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        int at;
        while ((at = json.IndexOf(name)) >= 0)
        {
            json = SkipSpace(json[(at + name.Length)..]);
            if (json.IsEmpty || json[0] != (byte)':')
            {
                return false;
            }

            json = SkipSpace(json[1..]);
            if (!json.StartsWith("null"u8))
            {
                return false;
            }

            json = json[4..];
        }

        return true;
    }

    private static ReadOnlySpan<byte> SkipSpace(ReadOnlySpan<byte> json) => json.TrimStart(" \t\r\n"u8);
}
