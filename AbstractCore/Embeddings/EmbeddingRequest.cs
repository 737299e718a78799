using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Media;

namespace AbstractCore.Embeddings;

/// <summary>A validated <c>POST /v1/embeddings</c> body. <see cref="Input"/> keeps its shape (string or array) so a
/// string is forwarded as a string. <see cref="Truncate"/>: cut inputs longer than the model takes (local models, Ollama).</summary>
public sealed record EmbeddingRequest(
    string? Model, JsonNode Input, int Count, int? Dimensions, string? EncodingFormat, string? User, string? BaseUrl, bool? Truncate = null)
{
    public bool WantsBase64 => EncodingFormat == "base64";

    public static EmbeddingRequest From(JsonObject body)
    {
        var model = BodyRules.OptionalString(body, "model");
        var (input, count) = ReadInput(body["input"]);

        int? dimensions = null;
        if (body["dimensions"] is { } d)
        {
            if (d.GetValueKind() != JsonValueKind.Number || !d.AsValue().TryGetValue<int>(out var n) || n < 0)
            {
                throw GatewayException.BadRequest("'dimensions' must be a non-negative integer (0 or null for the model's default).", "dimensions");
            }

            dimensions = n == 0 ? null : n;
        }

        var format = BodyRules.OptionalString(body, "encoding_format");
        if (format is not null and not "float" and not "base64")
        {
            throw GatewayException.BadRequest($"'encoding_format' must be 'float' or 'base64', not '{format}'.", "encoding_format");
        }

        bool? truncate = body["truncate"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw GatewayException.BadRequest("'truncate' must be true or false.", "truncate"),
        };

        return new EmbeddingRequest(model, input, count, dimensions, format,
            BodyRules.OptionalString(body, "user"), BodyRules.OptionalString(body, "base_url"), truncate);
    }

    private static (JsonNode Input, int Count) ReadInput(JsonNode? input)
    {
        switch (input?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                throw GatewayException.BadRequest("'input' is required: a string or an array of strings.", "input");
            case JsonValueKind.String:
                return string.IsNullOrWhiteSpace(input.GetValue<string>())
                    ? throw GatewayException.BadRequest("Embedding input must not be empty.", "input")
                    : (input.DeepClone(), 1);
            case JsonValueKind.Array:
                var items = input.AsArray();
                if (items.Count == 0)
                {
                    throw GatewayException.BadRequest("Embedding input array must not be empty.", "input");
                }

                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i]?.GetValueKind() != JsonValueKind.String)
                    {
                        throw GatewayException.BadRequest($"Embedding input at index {i} must be a string.", "input");
                    }

                    if (string.IsNullOrWhiteSpace(items[i]!.GetValue<string>()))
                    {
                        throw GatewayException.BadRequest($"Embedding input at index {i} must not be empty.", "input");
                    }
                }

                return (input.DeepClone(), items.Count);
            default:
                throw GatewayException.BadRequest("'input' must be a string or an array of strings.", "input");
        }
    }
}
