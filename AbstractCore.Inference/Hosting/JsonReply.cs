using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Inference.Hosting;

/// <summary>Control-plane bodies: read as JSON objects, answered as JSON nodes (no reflection involved).</summary>
internal static class JsonReply
{
    public static IResult Ok(JsonNode body, int status = 200) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return node as JsonObject ?? throw InferenceException.BadRequest("The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw InferenceException.BadRequest($"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>A non-blank string field, as sent (prompt text keeps its spaces).</summary>
    public static string? String(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    public static bool Bool(JsonObject body, string name, bool fallback) =>
        body[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    public static double? Number(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
