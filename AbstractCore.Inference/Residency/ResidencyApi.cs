using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Residency;

/// <summary><c>/acore/models/load|loaded|unload</c>: the specification's residency contract for local ONNX models.</summary>
internal static class ResidencyApi
{
    private static readonly HashSet<string> TextTasks = new(StringComparer.Ordinal)
    {
        "text", "chat", "chat_completion", "chat_completions", "llm", "completion", "text_generation",
    };

    public static IEndpointRouteBuilder MapResidency(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/acore/models/load", LoadAsync).WithName("LoadModel");
        endpoints.MapGet("/acore/models/loaded", Loaded).WithName("LoadedModels");
        endpoints.MapPost("/acore/models/unload", UnloadAsync).WithName("UnloadModel");
        return endpoints;
    }

    private static async Task<IResult> LoadAsync(HttpRequest request, ModelCatalog catalog, ModelResidency residency, InferenceSettings settings)
    {
        var body = await JsonReply.ReadObjectAsync(request, request.HttpContext.RequestAborted);
        CheckTask(JsonReply.String(body, "task"));
        var folder = Select(catalog, body) ?? throw InferenceException.BadRequest("provider and model are required", "model");
        ResidentModel resident;
        bool loadedNew;
        try
        {
            var options = new LoadOptions(JsonReply.Bool(body, "pin", true), JsonReply.Bool(body, "lock", false), IdleTtl(body));
            (resident, loadedNew) = await residency.LoadAsync(folder, options, request.HttpContext.RequestAborted);
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw new InferenceException(502, $"Loading '{folder.Name}' failed: {e.Message}", "server_error", "model", "provider_load_failed");
        }

        var runtime = RuntimeJson.For(resident, loaded: true);
        return JsonReply.Ok(new JsonObject
        {
            ["ok"] = true,
            ["success"] = true,
            ["loaded_new"] = loadedNew,
            ["provider_loaded_new"] = loadedNew,
            ["runtime_cache_loaded_new"] = loadedNew,
            ["runtime"] = runtime,
            ["affected_models"] = new JsonArray(runtime.DeepClone()),
            ["prompt_cache_capabilities"] = RuntimeJson.Capabilities(resident, settings),
        });
    }

    private static IResult Loaded(HttpRequest request, ModelResidency residency)
    {
        residency.UnloadIdle(); // the list never shows a model whose TTL has passed, whenever the sweep last ran
        CheckTask(request.Query["task"].FirstOrDefault());
        CheckProvider(request.Query["provider"].FirstOrDefault());
        var model = ModelCatalog.Normalize(request.Query["model"].FirstOrDefault());
        var rows = residency.Loaded.Where(r => model is null || r.Name == model).Select(r => (JsonNode)RuntimeJson.For(r, loaded: true)).ToArray();
        JsonArray Rows() => new(rows.Select(r => r.DeepClone()).ToArray());
        return JsonReply.Ok(new JsonObject
        {
            ["ok"] = true,
            ["success"] = true,
            ["operation"] = "list_loaded",
            ["object"] = "list",
            ["data"] = Rows(),
            ["models"] = Rows(),
            ["affected_models"] = Rows(),
        });
    }

    private static async Task<IResult> UnloadAsync(HttpRequest request, ModelResidency residency)
    {
        var body = await JsonReply.ReadObjectAsync(request, request.HttpContext.RequestAborted);
        CheckTask(JsonReply.String(body, "task"));
        CheckProvider(JsonReply.String(body, "provider"));
        var runtimeId = JsonReply.String(body, "runtime_id");
        var model = ModelCatalog.Normalize(JsonReply.String(body, "model"));
        if (runtimeId is null && model is null)
        {
            throw InferenceException.BadRequest("runtime_id or provider and model are required", "model");
        }

        var name = model ?? residency.Loaded.FirstOrDefault(r => r.RuntimeId == runtimeId)?.Name;
        var resident = name is null ? null : residency.Unload(name, JsonReply.Bool(body, "force", false));
        if (resident is null)
        {
            throw new InferenceException(404, "Loaded model runtime not found.", "not_found_error", "model", "runtime_not_found");
        }

        var runtime = RuntimeJson.For(resident, loaded: false);
        return JsonReply.Ok(new JsonObject
        {
            ["ok"] = true,
            ["success"] = true,
            ["unloaded"] = true,
            ["runtime"] = runtime,
            ["affected_models"] = new JsonArray(runtime.DeepClone()),
        });
    }

    /// <summary><c>ttl_s</c>: seconds without a request before the model leaves memory; absent or null: it stays.</summary>
    private static TimeSpan? IdleTtl(JsonObject body)
    {
        if (body["ttl_s"] is null)
        {
            return null;
        }

        return JsonReply.Number(body, "ttl_s") is { } seconds and > 0 and <= 366 * 24 * 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw InferenceException.BadRequest("ttl_s must be a number of seconds greater than 0 (at most a year).", "ttl_s");
    }

    /// <summary>The model a control-plane body selects (model or onnx/model, or runtime_id of a loaded one). 404 when unknown.</summary>
    public static ModelFolder? Select(ModelCatalog catalog, JsonObject body, ModelResidency? residency = null)
    {
        CheckProvider(JsonReply.String(body, "provider"));
        var model = JsonReply.String(body, "model");
        if (model is null && residency is not null && JsonReply.String(body, "runtime_id") is { } runtimeId)
        {
            model = residency.Loaded.FirstOrDefault(r => r.RuntimeId == runtimeId)?.Name
                ?? throw new InferenceException(404, "Loaded gateway runtime not found. Load it first with /acore/models/load.", "not_found_error", "runtime_id", "runtime_not_found");
        }

        return model is null ? null : catalog.Find(model) ?? throw InferenceException.ModelNotFound(model);
    }

    public static void CheckProvider(string? provider)
    {
        if (provider is not null && !string.Equals(provider, ModelCatalog.Provider, StringComparison.OrdinalIgnoreCase))
        {
            throw InferenceException.BadRequest($"This service only serves provider '{ModelCatalog.Provider}' (got '{provider}').", "provider");
        }
    }

    private static void CheckTask(string? task)
    {
        var normalized = task?.Trim().ToLowerInvariant().Replace('-', '_');
        if (normalized is not null && !TextTasks.Contains(normalized))
        {
            throw InferenceException.BadRequest($"Local ONNX models only serve text generation (task '{task}').", "task", "unsupported_task");
        }
    }
}
