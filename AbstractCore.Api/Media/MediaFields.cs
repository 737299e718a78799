using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace AbstractCore.Api.Media;

/// <summary>The field rules image and video requests share; every problem is a 400 naming the field.</summary>
internal static partial class MediaFields
{
    public static GatewayException MissingPrompt() =>
        GatewayException.BadRequest("Missing required field: prompt", "prompt", "missing_required_field");

    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (request.HasFormContentType)
        {
            throw GatewayException.BadRequest("This route takes a JSON body (application/json), not a form.", null, "invalid_content_type");
        }

        return await Requests.JsonBody.ReadAsync(request, type, cancellationToken);
    }

    /// <summary>A closed schema: <c>api_key</c> gets the provider-key message, anything else points at <c>extra</c>.</summary>
    public static void RejectUnknown(Dictionary<string, JsonElement>? unknown)
    {
        if (unknown is null || unknown.Count == 0)
        {
            return;
        }

        if (unknown.ContainsKey("api_key"))
        {
            throw GatewayException.BadRequest(Auth.KeyPlacement.BodyApiKeyMessage, "api_key");
        }

        var name = unknown.Keys.First();
        throw GatewayException.BadRequest(
            $"Unknown field '{name}'. Put backend-specific parameters in 'extra' (or 'extra_json' for multipart routes).", name, "unknown_field");
    }

    public static string RequirePrompt(string? prompt) =>
        string.IsNullOrWhiteSpace(prompt) ? throw MissingPrompt() : prompt;

    /// <summary>Only <c>b64_json</c> is served (URLs would point into this server's private upstreams).</summary>
    public static void CheckResponseFormat(string? format)
    {
        if (format is not null && format != "b64_json")
        {
            throw GatewayException.BadRequest($"response_format '{format}' is not supported; only b64_json is.", "response_format", "unsupported_response_format");
        }
    }

    /// <summary><c>size</c> wins; else <c>width</c>×<c>height</c>; null when neither is given.</summary>
    public static string? Size(string? size, int? width, int? height)
    {
        if (size is not null)
        {
            if (!SizePattern().IsMatch(size.Trim()))
            {
                throw GatewayException.BadRequest($"size must be WIDTHxHEIGHT, e.g. 1024x1024 (got '{size}').", "size", "invalid_size");
            }

            return size.Trim().ToLowerInvariant();
        }

        if (width is <= 0 || height is <= 0)
        {
            throw GatewayException.BadRequest("width and height must be positive.", width is <= 0 ? "width" : "height");
        }

        return width is { } w && height is { } h ? string.Create(CultureInfo.InvariantCulture, $"{w}x{h}") : null;
    }

    /// <summary>The number of images, clamped to 1..10.</summary>
    public static int ClampN(int? n) => Math.Clamp(n ?? 1, 1, 10);

    public static int? ParseInt(string? text, string field) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw GatewayException.BadRequest($"'{field}' must be an integer.", field);

    /// <summary><c>extra</c>: a JSON object whose fields join the upstream body.</summary>
    public static JsonObject Extra(JsonElement? extra, string field = "extra")
    {
        if (extra is null || extra.Value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return extra.Value.ValueKind == JsonValueKind.Object
            ? JsonObject.Create(extra.Value)!
            : throw GatewayException.BadRequest($"'{field}' must be a JSON object.", field);
    }

    /// <summary>The <c>extra</c> fields join the upstream body, replacing any of the same name.</summary>
    public static void Merge(JsonObject body, JsonObject extra)
    {
        foreach (var (name, value) in extra)
        {
            body[name] = value?.DeepClone();
        }
    }

    /// <summary><c>extra_json</c> (multipart): a JSON object string.</summary>
    public static JsonObject ExtraJson(string? text)
    {
        if (text is null)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw GatewayException.BadRequest("extra_json must be a JSON object string", "extra_json");
        }
    }

    /// <summary>A JSON value as a multipart text value (strings without their quotes).</summary>
    public static string FormValue(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";

    [GeneratedRegex("^[0-9]{1,5}[xX][0-9]{1,5}$")]
    private static partial Regex SizePattern();
}
