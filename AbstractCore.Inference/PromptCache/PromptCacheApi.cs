using System.Globalization;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Scheduling;

namespace AbstractCore.Inference.PromptCache;

/// <summary>
/// <c>/acore/prompt_cache/*</c> on the local runtime: keys hold live Generator KV state. Answers follow the
/// specification's control-plane shapes (<c>supported</c>, <c>operation</c>, <c>ok</c>, <c>capabilities</c>).
/// The model is selected by <c>model</c> (or <c>onnx/model</c>) or <c>runtime_id</c>; it loads lazily.
/// </summary>
internal static class PromptCacheApi
{
    private const string NoSelector = "model (or provider+model, or runtime_id) is required for prompt cache control plane calls";

    public static IEndpointRouteBuilder MapPromptCache(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/acore/prompt_cache");
        group.MapGet("/capabilities", (HttpRequest r, PromptCacheContext c) => QueryAsync(r, c, "capabilities"));
        group.MapGet("/stats", (HttpRequest r, PromptCacheContext c) => QueryAsync(r, c, "stats"));
        group.MapPost("/set", (HttpRequest r, PromptCacheContext c) => CommandAsync(r, c, "set", SetAsync));
        group.MapPost("/update", (HttpRequest r, PromptCacheContext c) => CommandAsync(r, c, "update", UpdateAsync));
        group.MapPost("/fork", (HttpRequest r, PromptCacheContext c) => CommandAsync(r, c, "fork", ForkAsync));
        group.MapPost("/clear", (HttpRequest r, PromptCacheContext c) => CommandAsync(r, c, "clear", ClearAsync));
        group.MapPost("/prepare_modules", (HttpRequest r, PromptCacheContext c) => CommandAsync(r, c, "prepare_modules", PrepareModulesAsync));
        return endpoints;
    }

    private static async Task<IResult> QueryAsync(HttpRequest request, PromptCacheContext c, string operation)
    {
        if (request.Query.ContainsKey("api_key"))
        {
            throw InferenceException.BadRequest("api_key is not accepted here.", "api_key");
        }

        var body = new JsonObject();
        foreach (var name in (string[])["model", "provider", "runtime_id"])
        {
            if (request.Query[name].FirstOrDefault() is { } value)
            {
                body[name] = value;
            }
        }

        var folder = ResidencyApi.Select(c.Catalog, body, c.Residency);
        if (folder is null)
        {
            if (operation == "stats")
            {
                return JsonReply.Ok(new JsonObject
                {
                    ["ok"] = true,
                    ["operation"] = "stats",
                    ["runtimes"] = new JsonArray(c.Residency.Loaded.Select(r => (JsonNode)new JsonObject
                    {
                        ["runtime_id"] = r.RuntimeId, ["provider"] = ModelCatalog.Provider, ["model"] = r.Name,
                        ["stats"] = RuntimeJson.Stats(r.PromptCache.Stats()),
                    }).ToArray()),
                });
            }

            return JsonReply.Ok(new JsonObject { ["supported"] = false, ["error"] = NoSelector });
        }

        using var lease = await c.Residency.AcquireAsync(folder, request.HttpContext.RequestAborted);
        var reply = Reply(operation, lease.Resident, c);
        if (operation == "stats")
        {
            reply["stats"] = RuntimeJson.Stats(lease.Resident.PromptCache.Stats());
        }

        return JsonReply.Ok(reply);
    }

    private static async Task<IResult> CommandAsync(
        HttpRequest request, PromptCacheContext c, string operation, Func<Command, Task<JsonObject>> run)
    {
        var body = await JsonReply.ReadObjectAsync(request, request.HttpContext.RequestAborted);
        if (body.ContainsKey("api_key"))
        {
            throw InferenceException.BadRequest("api_key is not accepted in request bodies.", "api_key");
        }

        var folder = ResidencyApi.Select(c.Catalog, body, c.Residency);
        if (folder is null)
        {
            return JsonReply.Ok(new JsonObject { ["supported"] = false, ["error"] = NoSelector });
        }

        using var lease = await c.Residency.AcquireAsync(folder, request.HttpContext.RequestAborted);
        var reply = Reply(operation, lease.Resident, c);
        var result = await run(new Command(body, lease.Resident, c, request.HttpContext.RequestAborted));
        foreach (var (name, value) in result.ToList())
        {
            result.Remove(name);
            reply[name] = value;
        }

        return JsonReply.Ok(reply);
    }

    private static JsonObject Reply(string operation, ResidentModel resident, PromptCacheContext c) => new()
    {
        ["supported"] = true,
        ["operation"] = operation,
        ["ok"] = true,
        ["capabilities"] = RuntimeJson.Capabilities(resident, c.Settings),
    };

    private static Task<JsonObject> SetAsync(Command cmd)
    {
        var key = cmd.RequiredKey("key");
        cmd.Cache.Set(key, cmd.Ttl, JsonReply.Bool(cmd.Body, "make_default", true));
        return Task.FromResult(new JsonObject { ["key"] = key, ["default_key"] = cmd.Cache.DefaultKey });
    }

    private static async Task<JsonObject> UpdateAsync(Command cmd)
    {
        var key = cmd.RequiredKey("key");
        return await PrefillAsync(cmd, key, PromptText.Render(cmd.Resident.Model, cmd.Body));
    }

    private static async Task<JsonObject> ForkAsync(Command cmd)
    {
        var from = cmd.RequiredKey("from_key");
        var to = cmd.RequiredKey("to_key");
        if (cmd.Cache.Tokens(from) is not { } tokens)
        {
            return new JsonObject { ["ok"] = false, ["code"] = "prompt_cache_key_not_found", ["error"] = $"Unknown prompt cache key '{from}'." };
        }

        var reply = await PrefillAsync(cmd, to, tokens);
        if (JsonReply.Bool(cmd.Body, "make_default", false))
        {
            cmd.Cache.Set(to, cmd.Ttl, makeDefault: true);
        }

        reply["from_key"] = from;
        return reply;
    }

    private static Task<JsonObject> ClearAsync(Command cmd)
    {
        var key = JsonReply.String(cmd.Body, "key");
        return Task.FromResult(new JsonObject { ["key"] = key, ["cleared"] = cmd.Cache.Clear(key) });
    }

    /// <summary>Each module (an object with module_id and prompt, messages or system_prompt) is prefilled into key <c>namespace:module_id</c>.</summary>
    private static async Task<JsonObject> PrepareModulesAsync(Command cmd)
    {
        var ns = cmd.RequiredKey("namespace");
        if (cmd.Body["modules"] is not JsonArray { Count: > 0 } modules)
        {
            throw InferenceException.BadRequest("modules must be a non-empty array.", "modules");
        }

        var prepared = new JsonArray();
        string? first = null;
        for (var i = 0; i < modules.Count; i++)
        {
            if (modules[i] is not JsonObject module)
            {
                throw InferenceException.BadRequest($"modules[{i}] must be an object.", $"modules[{i}]");
            }

            var id = JsonReply.String(module, "module_id") ?? JsonReply.String(module, "id") ?? JsonReply.String(module, "name")
                ?? i.ToString(CultureInfo.InvariantCulture);
            var key = $"{ns}:{id}";
            first ??= key;
            var reply = await PrefillAsync(cmd, key, PromptText.Render(cmd.Resident.Model, module));
            reply["module_id"] = id;
            prepared.Add(reply);
        }

        if (JsonReply.Bool(cmd.Body, "make_default", false) && first is not null)
        {
            cmd.Cache.Set(first, cmd.Ttl, makeDefault: true);
        }

        return new JsonObject { ["namespace"] = ns, ["modules"] = prepared };
    }

    /// <summary>Runs the prompt through the key's Generator (under a scheduler slot, as generation does).</summary>
    private static async Task<JsonObject> PrefillAsync(Command cmd, string key, int[] tokens)
    {
        var model = cmd.Resident.Model;
        if (tokens.Length >= model.Folder.ContextLength)
        {
            throw InferenceException.BadRequest($"The prompt is {tokens.Length} tokens; the model's context length is {model.Folder.ContextLength}.", "messages", "context_length_exceeded");
        }

        using var slot = await cmd.Context.Scheduler.For(model.Folder.Name).EnterAsync(cmd.Aborted);
        if (cmd.Cache.Checkout(key, cmd.Ttl) is not { } entry)
        {
            return new JsonObject { ["ok"] = false, ["key"] = key, ["code"] = "prompt_cache_busy", ["error"] = $"Prompt cache key '{key}' is in use." };
        }

        var ok = false;
        try
        {
            var reused = await Task.Run(() => GeneratorReuse.Prefill(model, cmd.Cache, entry, tokens, cmd.Context.Settings.DefaultMaxTokens), CancellationToken.None);
            ok = true;
            return new JsonObject { ["key"] = key, ["tokens"] = tokens.Length, ["reused_tokens"] = reused };
        }
        finally
        {
            cmd.Cache.Return(entry, ok);
        }
    }

    private sealed record Command(JsonObject Body, ResidentModel Resident, PromptCacheContext Context, CancellationToken Aborted)
    {
        public PromptCacheStore Cache => Resident.PromptCache;

        public TimeSpan? Ttl => JsonReply.Number(Body, "ttl_s") is { } s and > 0 ? TimeSpan.FromSeconds(s) : null;

        public string RequiredKey(string name) =>
            JsonReply.String(Body, name) ?? throw InferenceException.BadRequest($"{name} is required.", name);
    }
}

/// <summary>The services the prompt-cache routes use.</summary>
internal sealed record PromptCacheContext(ModelCatalog Catalog, ModelResidency Residency, Scheduler Scheduler, InferenceSettings Settings);
