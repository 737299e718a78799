using System.Text;

namespace AbstractCore.Chat.AgentFormats;

/// <summary>
/// Streams text through until a tool-call marker may be starting; from there it holds the text back, and at the end
/// turns what it held into tool calls (or gives it back as text if none parse). For clients that want structured calls
/// from a model that writes them as text.
/// </summary>
public sealed class TextCallScanner
{
    private readonly StringBuilder _held = new();
    private bool _inCall;

    /// <summary>The part of the text seen so far that can go to the client now.</summary>
    public string Push(string piece)
    {
        if (!_inCall && _held.Length == 0 && piece.IndexOf('<', StringComparison.Ordinal) < 0 && piece.IndexOf('`', StringComparison.Ordinal) < 0)
        {
            return piece; // no marker can start in it
        }

        _held.Append(piece);
        var held = _held.ToString();
        if (!_inCall)
        {
            var start = ToolCallText.OpenMarkers.Select(m => held.IndexOf(m, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0)
                .DefaultIfEmpty(-1).Min();
            if (start >= 0)
            {
                _inCall = true;
                _held.Remove(0, start);
                return held[..start];
            }

            // Keep back a tail that could be the beginning of a marker split across chunks.
            var keep = PartialMarkerLength(held);
            _held.Remove(0, held.Length - keep);
            return held[..^keep];
        }

        return "";
    }

    /// <summary>What was held at the end: the text and the calls parsed from it (none: the held text as it was); null when nothing was held.</summary>
    public (string Text, List<(string Name, string Arguments)> Calls)? Finish()
    {
        if (_held.Length == 0)
        {
            return null;
        }

        var held = _held.ToString();
        _held.Clear();
        var (cleaned, calls) = _inCall ? ToolCallText.Extract(held) : (held, []);
        return calls.Count == 0 ? (held, calls) : (cleaned, calls);
    }

    private static int PartialMarkerLength(string text)
    {
        for (var length = Math.Min(text.Length, 13); length > 0; length--)
        {
            var tail = text[^length..];
            if (ToolCallText.OpenMarkers.Any(m => m.StartsWith(tail, StringComparison.OrdinalIgnoreCase)))
            {
                return length;
            }
        }

        return 0;
    }
}
