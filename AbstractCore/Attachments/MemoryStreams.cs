using System.Runtime.InteropServices;

namespace AbstractCore.Attachments;

internal static class MemoryStreams
{
    /// <summary>A read-only stream over the bytes, without copying them when they sit in an array.</summary>
    public static MemoryStream ReadOnly(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
