using System.Text.Json;
using AbstractCore.Messages;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Errors;

/// <summary>
/// Endpoint metadata for routes Anthropic clients call (<c>/v1/messages</c>): every error they answer, the auth
/// middleware's included, leaves in Anthropic's envelope <c>{"type":"error","error":{"type","message"}}</c> with its
/// types (<see cref="MessagesErrors"/>).
/// </summary>
internal sealed class AnthropicErrors
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static AnthropicErrors Instance { get; } = new();

    public static bool Apply(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<AnthropicErrors>() is not null;

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        var (mapped, type) = MessagesErrors.Map(status, context.Response.Headers[UpstreamFailure.StatusHeader].ToString());
        context.Response.StatusCode = mapped;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, Relaxed);
        Write(writer, type, message);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>The envelope, also the <c>data</c> of a stream's <c>error</c> event.</summary>
    public static void Write(Utf8JsonWriter writer, string type, string message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", type);
        writer.WriteString("message", message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}

internal static class AnthropicErrorsExtensions
{
    public static TBuilder WithAnthropicErrors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AnthropicErrors.Instance);
}
