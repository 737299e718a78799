using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AbstractCore.OpenAI.Sse;

/// <summary>
/// Writes <c>data: {json}\n\n</c> events straight into the response pipe (no intermediate strings) and
/// flushes each one, so a client sees every chunk as soon as the upstream produced it.
/// </summary>
public sealed class SseWriter(PipeWriter pipe) : IDisposable
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;
    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;
    private static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    internal static readonly JsonWriterOptions JsonOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Utf8JsonWriter _json = new(pipe, JsonOptions);

    public ValueTask<FlushResult> WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        Write(value, typeInfo);
        return pipe.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one event without flushing: for a producer that is ahead of the client, several events then
    /// leave in one <see cref="FlushAsync"/>.</summary>
    public void Write<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        pipe.Write(DataPrefix);
        _json.Reset(pipe);
        JsonSerializer.Serialize(_json, value, typeInfo);
        _json.Flush();
        pipe.Write(EventEnd);
    }

    /// <summary>Writes one event of <paramref name="template"/> with <paramref name="value"/> in its place, without flushing.</summary>
    public void Write(SseTemplate template, string value)
    {
        pipe.Write(DataPrefix);
        pipe.Write(template.Head);
        _json.Reset(pipe);
        _json.WriteStringValue(value);
        _json.Flush();
        pipe.Write(template.Tail);
        pipe.Write(EventEnd);
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => pipe.FlushAsync(cancellationToken);

    public void Dispose() => _json.Dispose();

    public ValueTask<FlushResult> WriteDoneAsync(CancellationToken cancellationToken)
    {
        pipe.Write(Done);
        return pipe.FlushAsync(cancellationToken);
    }
}
