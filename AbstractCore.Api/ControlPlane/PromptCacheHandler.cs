using System.Text.Json.Nodes;
using AbstractCore.Security;
using AbstractCore.Upstream;

namespace AbstractCore.Api.ControlPlane;

/// <summary>
/// <c>/acore/prompt_cache/*</c>. Direct mode: provider <c>onnx</c> (or a runtime_id) reaches the local Inference
/// service, the one runtime here with a KV prompt cache; other providers answer <c>prompt_cache_unsupported</c>.
/// Proxy mode: <c>base_url</c> names an upstream AbstractEndpoint and the call is forwarded to its root.
/// </summary>
internal static class PromptCacheHandler
{
    private const string NoSelector = "base_url or provider+model is required for prompt cache control plane calls";

    public static async Task<IResult> HandleAsync(HttpContext context, ControlPlaneForwarder forwarder, string operation)
    {
        var request = await ControlPlaneRequest.ReadAsync(context.Request);
        var aborted = context.RequestAborted;
        var path = "acore/prompt_cache/" + operation;
        var isGet = HttpMethods.IsGet(context.Request.Method);

        if (request.BaseUrl is { } baseUrl)
        {
            return await ProxyAsync(context, forwarder, request, baseUrl, path, isGet, aborted);
        }

        if (request.Provider is null && request.RuntimeId is null)
        {
            if (operation == "stats" && forwarder.InferenceRoot() is { } root)
            {
                return await LocalAsync(forwarder, root, path, request, isGet, aborted);
            }

            return Json(operation == "stats"
                ? new JsonObject { ["ok"] = true, ["operation"] = "stats", ["runtimes"] = new JsonArray() }
                : new JsonObject { ["supported"] = false, ["error"] = NoSelector });
        }

        if (request.Provider is not null && !request.IsLocal)
        {
            return Json(new JsonObject
            {
                ["supported"] = false, ["operation"] = operation, ["code"] = "prompt_cache_unsupported",
                ["error"] = "provider does not support prompt cache control plane", ["capabilities"] = new JsonObject { ["supported"] = false },
            });
        }

        var inference = forwarder.InferenceRoot() ?? throw new GatewayException(404,
            ControlPlaneForwarder.RuntimeNotFound, "not_found_error", "provider", "runtime_not_found");
        return await LocalAsync(forwarder, inference, path, request, isGet, aborted);
    }

    private static async Task<IResult> LocalAsync(
        ControlPlaneForwarder forwarder, Uri root, string path, ControlPlaneRequest request, bool isGet, CancellationToken aborted)
    {
        var body = request.Forwarded(keepModel: true);
        try
        {
            var (status, text) = await forwarder.SendAsync(root, path, isGet ? null : body, isGet ? ControlPlaneRequest.Query(body) : null, null, aborted);
            return Results.Text(text, "application/json", statusCode: status);
        }
        catch (HttpRequestException e)
        {
            throw new GatewayException(502, $"Could not reach the local inference service: {e.Message}", "upstream_error", code: "upstream_unreachable");
        }
    }

    private static async Task<IResult> ProxyAsync(
        HttpContext context, ControlPlaneForwarder forwarder, ControlPlaneRequest request, string baseUrl, string path, bool isGet, CancellationToken aborted)
    {
        Uri root;
        BaseUrlGrant grant;
        try
        {
            (root, grant) = await forwarder.ProxyRootAsync(baseUrl, aborted);
        }
        catch (GatewayException e)
        {
            return Json(new JsonObject { ["supported"] = false, ["error"] = e.Message });
        }

        var bearer = context.Request.Headers["X-AbstractCore-Provider-API-Key"].FirstOrDefault();
        var body = request.Forwarded(keepModel: false);
        var upstream = new Uri(root, path).AbsoluteUri;
        try
        {
            var (status, text) = await forwarder.SendAsync(root, path, isGet ? null : body, isGet ? ControlPlaneRequest.Query(body) : null, bearer, aborted, grant);
            var parsed = ControlPlaneForwarder.ParseJson(text);

            if (status >= 400)
            {
                return Json(new JsonObject { ["supported"] = false, ["status_code"] = status, ["error"] = parsed?.DeepClone() ?? text, ["upstream"] = upstream });
            }

            return parsed is JsonObject ? Results.Text(text, "application/json") : Json(new JsonObject { ["supported"] = true, ["data"] = parsed?.DeepClone() ?? text });
        }
        catch (HttpRequestException e)
        {
            // A connection the base_url rule refused (the name now points elsewhere) reads as the policy's refusal above.
            var message = UpstreamFailure.RefusalWithin(e)?.Message ?? e.Message;
            return Json(new JsonObject { ["supported"] = false, ["error"] = message, ["upstream"] = upstream });
        }
    }

    private static IResult Json(JsonNode body) => Results.Text(body.ToJsonString(), "application/json");
}
