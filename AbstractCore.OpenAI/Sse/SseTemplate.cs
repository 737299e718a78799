using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AbstractCore.OpenAI.Sse;

/// <summary>
/// An event whose JSON changes from one event to the next only in one string value: serialized once with a marker in
/// that place and kept as the two halves around it, which <see cref="SseWriter.Write(SseTemplate, string)"/> writes with
/// each value between them. A stream of a chunk per token then builds no objects and runs no serializer per token.
/// </summary>
public sealed class SseTemplate
{
    private readonly byte[] _head;
    private readonly byte[] _tail;

    private SseTemplate(byte[] head, byte[] tail)
    {
        _head = head;
        _tail = tail;
    }

    internal ReadOnlySpan<byte> Head => _head;

    internal ReadOnlySpan<byte> Tail => _tail;

    /// <param name="value">The event, with <paramref name="marker"/> as the string value that varies (and nowhere else).</param>
    public static SseTemplate For<T>(T value, JsonTypeInfo<T> typeInfo, string marker)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, SseWriter.JsonOptions))
        {
            JsonSerializer.Serialize(json, value, typeInfo);
        }

        var quoted = Encoding.UTF8.GetBytes($"\"{marker}\"");
        var written = buffer.WrittenSpan;
        var at = written.IndexOf(quoted);
        if (at < 0 || written[(at + quoted.Length)..].IndexOf(quoted) >= 0)
        {
            throw new ArgumentException("The marker must be exactly one string value of the event.", nameof(marker));
        }

        return new SseTemplate(written[..at].ToArray(), written[(at + quoted.Length)..].ToArray());
    }
}
