using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Media;

/// <summary>Field checks shared by the media bodies (JSON and multipart); each failure is a 400 naming the field.</summary>
public static class BodyRules
{
    public const string ApiKeyMessage =
        "Per-request provider api_key fields are disabled for the HTTP server because they leak through bodies, logs, " +
        "and client history. Use X-AbstractCore-Provider-API-Key for a provider override, or configure provider keys on the server.";

    /// <summary>A key in a body would end up in logs and client history: refused whatever its value.</summary>
    public static void RejectApiKey(bool present)
    {
        if (present)
        {
            throw GatewayException.BadRequest(ApiKeyMessage, "api_key");
        }
    }

    /// <summary>An optional string field (null when absent or JSON null); any other type is a 400.</summary>
    public static string? OptionalString(JsonObject body, string name)
    {
        var node = body[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw GatewayException.BadRequest($"'{name}' must be a string.", name);
    }

    /// <summary>The first of several alias fields that holds a non-blank string (<c>input</c> or <c>text</c>, …).</summary>
    public static string? FirstString(JsonObject body, params string[] names) =>
        names.Select(n => OptionalString(body, n)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
