using System.Buffers;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// Edits to one JSON text as byte ranges replaced (or removed, or inserted at a point), found in one reader pass and
/// applied in one copy: what a forwarder changes is a few tokens, so everything else is copied as it came, escapes and
/// number spellings included.
/// </summary>
public sealed class JsonSplices
{
    private readonly List<(int Start, int Length, byte[] With)> _edits = new(4);

    public bool Any => _edits.Count > 0;

    /// <summary>Replaces <paramref name="length"/> bytes at <paramref name="start"/>; edits must not overlap.</summary>
    public void Replace(int start, int length, byte[] with) => _edits.Add((start, length, with));

    public void Remove(int start, int length) => _edits.Add((start, length, []));

    public void Insert(int at, byte[] text) => _edits.Add((at, 0, text));

    /// <summary>The text with every edit applied.</summary>
    public void WriteTo(ReadOnlySpan<byte> source, IBufferWriter<byte> output)
    {
        if (_edits.Count > 1)
        {
            _edits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Length.CompareTo(b.Length));
        }

        var at = 0;
        foreach (var (start, length, with) in _edits)
        {
            output.Write(source[at..start]);
            output.Write(with);
            at = start + length;
        }

        output.Write(source[at..]);
    }

    public byte[] Apply(ReadOnlySpan<byte> source)
    {
        if (!Any)
        {
            return source.ToArray();
        }

        var output = new ArrayBufferWriter<byte>(source.Length + 64);
        WriteTo(source, output);
        return output.WrittenSpan.ToArray();
    }
}
