using System.Text;

namespace AbstractCore.Attachments;

/// <summary>How extracted documents reach the model: appended to the user's text in delimited blocks (§8.2).</summary>
internal static class AttachmentText
{
    public static string Block(string name, string text) =>
        $"--- Content from {name} ---\n{text}\n--- End of {name} ---";

    /// <summary>
    /// The user's text, then each block after four newlines, as the original sent it (observed for the first
    /// block; it prefixed each block with "\n\n" and joined them with "\n\n"). Without user text the blocks
    /// stand alone rather than after a run of empty lines.
    /// </summary>
    public static string Append(string? userText, IEnumerable<string> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var builder = new StringBuilder(userText);
        foreach (var block in blocks)
        {
            if (builder.Length > 0)
            {
                builder.Append("\n\n\n\n");
            }

            builder.Append(block);
        }

        return builder.ToString();
    }

    /// <summary><see cref="Append(string?, IEnumerable{string})"/> for (name, text) pairs.</summary>
    public static string Append(string? userText, IEnumerable<(string Name, string Text)> documents) =>
        Append(userText, documents.Select(d => Block(d.Name, d.Text)));
}
