using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;

namespace AbstractCore.Inference.Embeddings;

/// <summary>A <c>POST /v1/embeddings</c> body: <c>input</c> a string or a list of strings, <c>dimensions</c> (0 or null:
/// the model's), <c>encoding_format</c> float or base64, and <c>truncate</c> (cut inputs longer than the model's maximum
/// instead of refusing them).</summary>
internal sealed record EmbeddingsRequest(string? Model, IReadOnlyList<string> Inputs, int? Dimensions, bool Base64, bool Truncate)
{
    /// <summary>OpenAI's limit on inputs per request.</summary>
    public const int MaxInputs = 2048;

    public static EmbeddingsRequest From(JsonObject body)
    {
        List<string> inputs = body["input"] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => [s],
            JsonArray { Count: 0 } => throw InferenceException.BadRequest("Embedding input array must not be empty.", "input"),
            JsonArray { Count: > MaxInputs } a => throw InferenceException.BadRequest($"At most {MaxInputs} inputs per request (got {a.Count}).", "input"),
            JsonArray a => a.Select((item, i) => item is JsonValue iv && iv.TryGetValue<string>(out var s)
                ? s
                : throw InferenceException.BadRequest($"Embedding input at index {i} must be a string (token arrays are not accepted).", "input")).ToList(),
            null => throw InferenceException.BadRequest("'input' is required: a string or an array of strings.", "input"),
            _ => throw InferenceException.BadRequest("'input' must be a string or an array of strings.", "input"),
        };
        for (var i = 0; i < inputs.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(inputs[i]))
            {
                throw InferenceException.BadRequest(inputs.Count == 1 ? "Embedding input must not be empty." : $"Embedding input at index {i} must not be empty.", "input");
            }
        }

        int? dimensions = null;
        if (body["dimensions"] is { } d)
        {
            dimensions = d.GetValueKind() == JsonValueKind.Number && d.AsValue().TryGetValue<int>(out var n) && n >= 0
                ? n == 0 ? null : n
                : throw InferenceException.BadRequest("'dimensions' must be a non-negative integer (0 or null for the model's default).", "dimensions");
        }

        var format = body["encoding_format"] is JsonValue f && f.TryGetValue<string>(out var fs) ? fs : null;
        if (format is not (null or "float" or "base64"))
        {
            throw InferenceException.BadRequest($"'encoding_format' must be 'float' or 'base64', not '{format}'.", "encoding_format");
        }

        return new EmbeddingsRequest(JsonReply.String(body, "model"), inputs, dimensions, format == "base64", JsonReply.Bool(body, "truncate", false));
    }
}
