using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace AbstractCore.Chat.Forwarding;

/// <summary>
/// Edits to one JSON text as byte ranges replaced (or removed, or inserted at a point), found in one reader pass and
/// applied in one copy: what a forwarder changes is a few tokens, so everything else is copied as it came, escapes and
/// number spellings included. A mutable struct (pass it by <c>ref</c>): a rewrite makes a few edits, which live inline
/// so that no rewrite of a request or of a streamed chunk allocates for them; more spill to an array.
/// </summary>
public struct JsonSplices
{
    private const int Inline = 4;

    private Slots _inline;
    private Edit[]? _spilled;
    private int _count;
    private int _growth; // bytes added minus bytes removed

    public readonly bool Any => _count > 0;

    /// <summary>Replaces <paramref name="length"/> bytes at <paramref name="start"/>; edits must not overlap.</summary>
    public void Replace(int start, int length, byte[] with) => Add(new Edit(start, length, with));

    public void Remove(int start, int length) => Add(new Edit(start, length, []));

    /// <summary>Inserts at a point; texts inserted at the same point come out in the order they were added.</summary>
    public void Insert(int at, byte[] text) => Add(new Edit(at, 0, text));

    /// <summary>Texts up to this long go out in one write: each write into the response pipe takes its lock.</summary>
    private const int OneWrite = 4096;

    /// <summary>The text's length with every edit applied.</summary>
    public readonly int LengthAfter(int sourceLength) => sourceLength + _growth;

    /// <summary>The text with every edit applied, between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public readonly void WriteTo(ReadOnlySpan<byte> source, IBufferWriter<byte> output, ReadOnlySpan<byte> before = default, ReadOnlySpan<byte> after = default)
    {
        var length = before.Length + LengthAfter(source.Length) + after.Length;
        if (length <= OneWrite)
        {
            var span = output.GetSpan(length);
            before.CopyTo(span);
            CopyTo(source, span[before.Length..]);
            after.CopyTo(span[(length - after.Length)..]);
            output.Advance(length);
            return;
        }

        output.Write(before);
        for (var i = 0; i <= 2 * _count; i++)
        {
            output.Write(Piece(source, i));
        }

        output.Write(after);
    }

    public readonly byte[] Apply(ReadOnlySpan<byte> source)
    {
        var result = new byte[LengthAfter(source.Length)];
        CopyTo(source, result);
        return result;
    }

    private readonly void CopyTo(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (var i = 0; i <= 2 * _count; i++)
        {
            var piece = Piece(source, i);
            piece.CopyTo(destination);
            destination = destination[piece.Length..];
        }
    }

    /// <summary>The output in pieces: even ones are the source before edit i/2 (after the last, its end), odd ones
    /// edit i/2's text.</summary>
    private readonly ReadOnlySpan<byte> Piece(ReadOnlySpan<byte> source, int i)
    {
        var edits = Edits;
        if (i % 2 == 1)
        {
            return edits[i / 2].With;
        }

        var from = i == 0 ? 0 : edits[(i / 2) - 1].End;
        var to = i / 2 < edits.Length ? edits[i / 2].Start : source.Length;
        return source[from..to];
    }

    /// <summary>Keeps the edits in order: they mostly come in order, so this rarely moves any.</summary>
    private void Add(Edit edit)
    {
        if (_count == Storage.Length)
        {
            var bigger = new Edit[_count * 2];
            Storage.CopyTo(bigger);
            _spilled = bigger;
        }

        var edits = Storage;
        var i = _count;
        for (; i > 0 && edits[i - 1].After(edit); i--)
        {
            edits[i] = edits[i - 1];
        }

        edits[i] = edit;
        _count++;
        _growth += edit.With.Length - edit.Length;
    }

    [UnscopedRef]
    private Span<Edit> Storage => _spilled is null ? _inline : _spilled;

    [UnscopedRef]
    private readonly ReadOnlySpan<Edit> Edits => _spilled is null ? ((ReadOnlySpan<Edit>)_inline)[.._count] : _spilled.AsSpan(0, _count);

    private readonly record struct Edit(int Start, int Length, byte[] With)
    {
        public int End => Start + Length;

        /// <summary>By start, and a shorter edit (an insertion) first at the same start; equal ones keep their order.</summary>
        public bool After(Edit other) => Start != other.Start ? Start > other.Start : Length > other.Length;
    }

    [InlineArray(Inline)]
    private struct Slots
    {
        private Edit _first;
    }
}
