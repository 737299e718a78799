using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Api.Requests;
using AbstractCore.Blocs;
using AbstractCore.Media;

namespace AbstractCore.Api.Blocs;

/// <summary>
/// One bloc route call: its operation and its fields (a POST's JSON object, or a GET's query as strings), with readers
/// that refuse a wrong type with a 400 naming the field. The body is checked by <see cref="JsonBody"/> as on every
/// route; its refusals keep their <c>param</c> and <c>code</c>, in the control plane's envelope.
/// </summary>
internal sealed class BlocCall(string operation, JsonObject fields, bool isGet)
{
    /// <summary>Fields the gateway reads itself: whatever else a body holds is for the runtime.</summary>
    private static readonly string[] TextFields = ["base_url", "provider", "model", "runtime_id", "sha256", "artifact_path"];

    public string Operation { get; } = operation;

    public JsonObject Fields { get; } = fields;

    public bool IsGet { get; } = isGet;

    public static async Task<BlocCall> ReadAsync(HttpContext context, string operation)
    {
        var request = context.Request;
        var isGet = HttpMethods.IsGet(request.Method);
        JsonObject fields;
        if (isGet)
        {
            fields = [];
            foreach (var (name, value) in request.Query)
            {
                fields[name] = value.ToString();
            }
        }
        else
        {
            fields = await ReadObjectAsync(request, context.RequestAborted);
        }

        if (fields.ContainsKey("api_key"))
        {
            throw BlocProblem.BadRequest(BodyRules.ApiKeyMessage);
        }

        var call = new BlocCall(operation, fields, isGet);
        foreach (var name in TextFields)
        {
            _ = call.Text(name);
        }

        return call;
    }

    /// <summary>The body, checked as every route's is; its refusal (the field, the fault) in this envelope too.</summary>
    private static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await JsonBody.ReadAsync(request, cancellationToken);
            return JsonNode.Parse(body.Utf8) as JsonObject ?? throw JsonBody.NotAnObject();
        }
        catch (GatewayException e) when (e.Status < 500)
        {
            throw new BlocProblem(e.Status, e.Message, new JsonObject { ["param"] = e.Param, ["code"] = e.Code });
        }
    }

    /// <summary>A string field; null when absent, JSON null or blank.</summary>
    public string? Text(string name) => Fields[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => string.IsNullOrWhiteSpace(s) ? null : s,
        _ => throw BlocProblem.BadRequest($"'{name}' must be a string."),
    };

    /// <summary>A boolean field: true/false, or (as a query sends them) "true"/"false", "1"/"0", "yes"/"no", "on"/"off".</summary>
    public bool Flag(string name, bool fallback) => Fields[name] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) && ParseFlag(s) is { } parsed => parsed,
        _ => throw BlocProblem.BadRequest($"'{name}' must be a boolean."),
    };

    /// <summary>A non-negative integer field (a JSON integer, or digits in a string); null when absent.</summary>
    public long? Count(string name) => Fields[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<long>(out var n) && n >= 0 => n,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw BlocProblem.BadRequest($"'{name}' must be a non-negative integer."),
    };

    /// <summary>sha256 (64 hexadecimal digits, trimmed and lower-cased) first, then the integer bloc_id.</summary>
    public BlocSelector Selector()
    {
        var sha = Sha256("sha256");
        long? id = Fields["bloc_id"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String =>
                BlocSelector.ParseBlocId(v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString())
                ?? throw BlocProblem.BadRequest("'bloc_id' must be a positive integer."),
            _ => throw BlocProblem.BadRequest("'bloc_id' must be a positive integer."),
        };
        return sha is not null ? new BlocSelector(sha, null) : new BlocSelector(null, id);
    }

    /// <summary>A sha256 field, normalised; a value that is not one is a 400.</summary>
    public string? Sha256(string name) => Text(name) is { } raw
        ? BlocSelector.NormalizeSha256(raw) ?? throw BlocProblem.BadRequest($"'{name}' must be 64 hexadecimal characters.")
        : null;

    private static bool? ParseFlag(string text) => text.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => null,
    };
}
