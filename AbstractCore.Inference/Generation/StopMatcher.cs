namespace AbstractCore.Inference.Generation;

/// <summary>
/// Finds stop sequences in generated text. Text that might be the start of a stop sequence is held back until
/// the next piece decides, so a streamed client never sees part of a stop sequence.
/// </summary>
internal sealed class StopMatcher(IReadOnlyList<string> stops)
{
    private readonly System.Text.StringBuilder _pending = new();

    public bool Stopped { get; private set; }

    /// <summary>Adds a decoded piece; returns the text that is safe to emit now (possibly empty).</summary>
    public string Push(string piece)
    {
        if (stops.Count == 0)
        {
            return piece;
        }

        _pending.Append(piece);
        var text = _pending.ToString();
        var cut = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }

        if (cut >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return text[..cut];
        }

        var keep = 0;
        foreach (var stop in stops)
        {
            for (var len = Math.Min(stop.Length - 1, text.Length); len > keep; len--)
            {
                if (text.AsSpan(text.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    keep = len;
                    break;
                }
            }
        }

        _pending.Clear();
        _pending.Append(text, text.Length - keep, keep);
        return text[..^keep];
    }

    /// <summary>What is still held back when generation ends without a stop sequence.</summary>
    public string Flush()
    {
        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }
}
