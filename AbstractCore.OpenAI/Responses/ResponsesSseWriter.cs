using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace AbstractCore.OpenAI.Responses;

/// <summary>Writes <c>event: {type}\ndata: {json}\n\n</c> straight into the response pipe, flushing each event.</summary>
public sealed class ResponsesSseWriter(PipeWriter pipe) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(pipe, new JsonWriterOptions
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public ValueTask<FlushResult> WriteAsync(ResponseStreamEvent value, CancellationToken cancellationToken)
    {
        pipe.Write("event: "u8);
        pipe.Write(System.Text.Encoding.UTF8.GetBytes(value.Type));
        pipe.Write("\ndata: "u8);
        _json.Reset(pipe);
        JsonSerializer.Serialize(_json, value, ResponsesJsonContext.Wire.ResponseStreamEvent);
        _json.Flush();
        pipe.Write("\n\n"u8);
        return pipe.FlushAsync(cancellationToken);
    }

    public void Dispose() => _json.Dispose();
}
