using System.Text.Json.Nodes;
using AbstractCore.Providers;

namespace AbstractCore.Api.ControlPlane;

/// <summary>
/// <c>/acore/models/load|loaded|unload</c>. Local ONNX models live in the Inference service, which verifies residency
/// itself: calls for provider <c>onnx</c> (or one of its runtime ids) go there. Remote providers expose no loaded-state
/// signal, so a load reports <c>provider_residency_verified: false</c> and <c>loaded: false</c>. The <c>task</c> is
/// normalised first (<see cref="ResidencyTask"/>): unknown, or one the target cannot serve, is a 400.
/// </summary>
internal static class ResidencyHandler
{
    public static async Task<IResult> LoadAsync(HttpContext context, ControlPlaneForwarder forwarder, ProviderResolver resolver)
    {
        var request = await ControlPlaneRequest.ReadAsync(context.Request);
        var task = ResidencyTask.Read(request.Body);
        if (request.Provider is null || request.Model is null)
        {
            throw GatewayException.BadRequest("provider and model are required", "model");
        }

        ResidencyTask.RequireServed(request.Provider, task);
        if (request.IsLocal)
        {
            return await ForwardAsync(context, forwarder, "acore/models/load", WithTask(request.Forwarded(keepModel: true), task), null);
        }

        // Echoed, never called, but held to the same rule as every route's base_url.
        if (request.BaseUrl is not null)
        {
            await resolver.ValidateBaseUrlAsync(request.BaseUrl, context.RequestAborted);
        }

        var runtime = new JsonObject
        {
            ["runtime_id"] = null, ["provider"] = request.Provider, ["model"] = request.Model, ["base_url"] = request.BaseUrl,
            ["task"] = task, ["state"] = "provider_residency_unknown", ["loaded"] = false, ["runtime_cached"] = false,
            ["provider_residency_verified"] = false, ["provider_resident"] = null, ["pinned"] = false, ["locked"] = false,
            ["isolation"] = "remote", ["health"] = "ok", ["error"] = null, ["supports_prompt_cache"] = false,
        };
        return Json(new JsonObject
        {
            ["ok"] = true, ["success"] = true, ["loaded_new"] = false, ["provider_loaded_new"] = false, ["runtime_cache_loaded_new"] = false,
            ["runtime"] = runtime, ["affected_models"] = new JsonArray(runtime.DeepClone()),
        });
    }

    public static async Task<IResult> LoadedAsync(HttpContext context, ControlPlaneForwarder forwarder)
    {
        var request = await ControlPlaneRequest.ReadAsync(context.Request);
        var task = ResidencyTask.Read(request.Body);

        // Local models only generate text: for any other task the runtime has no row to list.
        if ((request.Provider is null || request.IsLocal) && task == ResidencyTask.TextGeneration && forwarder.InferenceRoot() is not null)
        {
            var query = WithTask(request.Forwarded(keepModel: true), task);
            return await ForwardAsync(context, forwarder, "acore/models/loaded", null, ControlPlaneRequest.Query(query));
        }

        return Json(new JsonObject
        {
            ["ok"] = true, ["success"] = true, ["operation"] = "list_loaded", ["object"] = "list",
            ["data"] = new JsonArray(), ["models"] = new JsonArray(), ["affected_models"] = new JsonArray(),
        });
    }

    public static async Task<IResult> UnloadAsync(HttpContext context, ControlPlaneForwarder forwarder)
    {
        var request = await ControlPlaneRequest.ReadAsync(context.Request);
        var task = ResidencyTask.Read(request.Body);
        if (request.RuntimeId is null && (request.Provider is null || request.Model is null))
        {
            throw GatewayException.BadRequest("runtime_id or provider and model are required", "model");
        }

        if (request.IsLocal)
        {
            ResidencyTask.RequireServed(request.Provider!, task);
        }

        if ((request.IsLocal || request.Provider is null) && task == ResidencyTask.TextGeneration && forwarder.InferenceRoot() is not null)
        {
            return await ForwardAsync(context, forwarder, "acore/models/unload", WithTask(request.Forwarded(keepModel: true), task), null);
        }

        throw new GatewayException(404, "Loaded model runtime not found.", "not_found_error", "model", "runtime_not_found");
    }

    private static async Task<IResult> ForwardAsync(HttpContext context, ControlPlaneForwarder forwarder, string path, JsonObject? body, string? query)
    {
        var root = forwarder.InferenceRoot() ?? throw GatewayException.BadRequest(
            "Provider 'onnx' has no base URL: set ABSTRACTCORE_INFERENCE_URL.", "provider");
        try
        {
            var (status, text) = await forwarder.SendAsync(root, path, body, query, null, context.RequestAborted);
            return Results.Text(text, "application/json", statusCode: status);
        }
        catch (HttpRequestException e)
        {
            throw new GatewayException(502, $"Could not reach the local inference service: {e.Message}", "upstream_error", code: "upstream_unreachable");
        }
    }

    /// <summary>The runtime gets the task by its canonical name (it knows no aliases).</summary>
    private static JsonObject WithTask(JsonObject body, string task)
    {
        body["task"] = task;
        return body;
    }

    private static IResult Json(JsonNode body) => Results.Text(body.ToJsonString(), "application/json");
}
