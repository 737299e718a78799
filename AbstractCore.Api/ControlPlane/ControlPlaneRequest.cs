using System.Text.Json.Nodes;
using AbstractCore.Routing;

namespace AbstractCore.Api.ControlPlane;

/// <summary>A control-plane call's selector (runtime_id, provider + model, base_url) and the body to forward.</summary>
internal sealed record ControlPlaneRequest(string? RuntimeId, string? Provider, string? Model, string? BaseUrl, JsonObject Body)
{
    private static readonly string[] SelectorFields = ["runtime_id", "base_url", "provider", "model", "api_key"];

    public bool IsLocal => Provider is ControlPlaneForwarder.LocalProvider;

    public static async Task<ControlPlaneRequest> ReadAsync(HttpRequest request)
    {
        JsonObject body;
        if (HttpMethods.IsGet(request.Method))
        {
            if (request.Query.ContainsKey("api_key"))
            {
                throw GatewayException.BadRequest("api_key is not accepted: configure provider keys on the server or send X-AbstractCore-Provider-API-Key.", "api_key");
            }

            body = new JsonObject();
            foreach (var (name, value) in request.Query)
            {
                body[name] = value.ToString();
            }
        }
        else
        {
            body = await Requests.JsonBody.ReadObjectAsync(request, request.HttpContext.RequestAborted);

            if (body.ContainsKey("api_key"))
            {
                throw GatewayException.BadRequest("api_key is not accepted in request bodies: configure provider keys on the server or send X-AbstractCore-Provider-API-Key.", "api_key");
            }
        }

        return FromBody(body);
    }

    /// <summary>The selector a body (or a GET's query, as strings) names: <c>onnx/m</c> in <c>model</c> is provider
    /// <c>onnx</c> and model <c>m</c>.</summary>
    public static ControlPlaneRequest FromBody(JsonObject body)
    {
        var provider = Text(body, "provider")?.ToLowerInvariant();
        var model = Text(body, "model");
        if (provider is null && model is not null && model.Contains('/', StringComparison.Ordinal))
        {
            var parsed = ModelRef.Parse(model);
            (provider, model) = (parsed.Provider, parsed.Model);
        }
        else if (provider is not null && model is not null && model.StartsWith(provider + "/", StringComparison.OrdinalIgnoreCase))
        {
            model = model[(provider.Length + 1)..];
        }

        return new ControlPlaneRequest(Text(body, "runtime_id"), provider, model, Text(body, "base_url"), body);
    }

    /// <summary>The body for the runtime: selectors removed (proxy mode), or only the bare model kept (local mode).</summary>
    public JsonObject Forwarded(bool keepModel)
    {
        var copy = (JsonObject)Body.DeepClone();
        foreach (var field in SelectorFields)
        {
            copy.Remove(field);
        }

        if (keepModel)
        {
            if (Model is not null)
            {
                copy["model"] = Model;
            }

            if (RuntimeId is not null)
            {
                copy["runtime_id"] = RuntimeId;
            }
        }

        return copy;
    }

    /// <summary>The forwarded body as a query string (GET calls).</summary>
    public static string Query(JsonObject body) =>
        body.Count == 0 ? "" : "?" + string.Join('&', body.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value?.ToString() ?? "")));

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}
