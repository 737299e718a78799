using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Scheduling;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// <c>/acore/blocs/kv/*</c> on the local runtime: bloc KV artifacts on disk and their loading into prompt-cache keys.
/// The bloc text comes in the request (the gateway holds the bloc store). Answers are the specification's
/// <c>{"ok":…,"operation":…}</c> shapes, failures included (<c>{"ok":false,"operation","error"}</c> with their status).
/// </summary>
internal static class BlocsApi
{
    public static IEndpointRouteBuilder MapBlocs(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/acore/blocs/kv");
        group.MapPost("/ensure", (HttpRequest r, BlocsContext c) => RunAsync("kv_ensure", () => EnsureAsync(r, c)));
        group.MapPost("/load", (HttpRequest r, BlocsContext c) => RunAsync("kv_load", () => LoadAsync(r, c)));
        group.MapGet("/manifest", (HttpRequest r, BlocsContext c) => RunAsync("kv_manifest", () => Task.FromResult(Manifest(r, c))));
        group.MapGet("/list", (HttpRequest r, BlocsContext c) => RunAsync("kv_list", () => Task.FromResult(List(r, c))));
        group.MapPost("/delete", (HttpRequest r, BlocsContext c) => RunAsync("kv_delete", () => DeleteAsync(r, c)));
        group.MapPost("/prune", (HttpRequest r, BlocsContext c) => RunAsync("kv_prune", () => PruneAsync(r, c)));
        return endpoints;
    }

    private static async Task<IResult> RunAsync(string operation, Func<Task<JsonObject>> run)
    {
        JsonObject reply;
        try
        {
            reply = await run();
        }
        catch (InferenceException e)
        {
            var failure = new JsonObject { ["ok"] = false, ["operation"] = operation, ["error"] = e.Message };
            if (e.Code is not null)
            {
                failure["code"] = e.Code;
            }

            if (e is BlocException { Details: { } details })
            {
                foreach (var (name, value) in details)
                {
                    failure[name] = value?.DeepClone();
                }
            }

            return JsonReply.Ok(failure, e.Status);
        }

        var ok = new JsonObject { ["ok"] = true, ["operation"] = operation };
        foreach (var (name, value) in reply.ToList())
        {
            reply.Remove(name);
            ok[name] = value;
        }

        return JsonReply.Ok(ok);
    }

    private static async Task<JsonObject> EnsureAsync(HttpRequest request, BlocsContext c)
    {
        var req = await BlocRequest.ReadAsync(request, c, needModel: true);
        using var lease = await c.Residency.AcquireAsync(req.Folder!, request.HttpContext.RequestAborted);
        var resident = lease.Resident;
        var (artifact, tokens, manifest, compiled, rebuilt, debug, prefilled) = await ResolveAsync(req, resident, c, refuseStale: false, request.HttpContext.RequestAborted);
        prefilled?.Dispose(); // ensure leaves no live key behind: the artifact on disk is its result
        var binding = new KvBinding(KvBinding.IdFor(resident.RuntimeId, manifest), resident.RuntimeId, resident.Name, manifest.Sha256, manifest.ModelFingerprint, artifact, tokens);
        var stable = req.StableKey;
        var reply = Artifact(artifact, manifest, binding, stable, compiled, rebuilt);
        reply["loaded"] = false;
        reply["source_cache_key"] = stable;
        AddDebug(reply, req, debug, resident);
        return new JsonObject { ["artifact"] = reply };
    }

    private static async Task<JsonObject> LoadAsync(HttpRequest request, BlocsContext c)
    {
        var aborted = request.HttpContext.RequestAborted;
        var req = await BlocRequest.ReadAsync(request, c, needModel: true);
        using var lease = await c.Residency.AcquireAsync(req.Folder!, aborted);
        var resident = lease.Resident;
        var (artifact, tokens, manifest, compiled, rebuilt, debug, prefilled) = await ResolveAsync(req, resident, c, refuseStale: true, aborted);
        using var compiledState = prefilled;
        var binding = new KvBinding(KvBinding.IdFor(resident.RuntimeId, manifest), resident.RuntimeId, resident.Name, manifest.Sha256, manifest.ModelFingerprint, artifact, tokens);

        // The stable key holds the artifact's KV (prefilled from its tokens unless it still holds it); the working key
        // is a fork of it, so a conversation on the working key never disturbs the stable copy.
        var stable = req.StableKey;
        var key = req.Key ?? stable;
        var cache = resident.PromptCache;
        using (await c.Scheduler.For(resident.Name).EnterAsync(aborted))
        {
            var reloaded = await FillAsync(resident, cache, stable, binding, req.Ttl, c.Settings, onlyIfMissing: true, compiledState);
            if (key != stable)
            {
                await FillAsync(resident, cache, key, binding, req.Ttl, c.Settings, onlyIfMissing: false, null);
            }

            if (req.MakeDefault)
            {
                cache.Set(key, req.Ttl, makeDefault: true);
            }

            var reply = Artifact(artifact, manifest, binding, key, compiled, rebuilt);
            reply["loaded"] = true;
            reply["reloaded_stable_key"] = reloaded;
            reply["key"] = key;
            reply["stable_cache_key"] = stable;
            reply["forked_from"] = key != stable ? stable : null;
            reply["source_cache_key"] = stable;
            reply["default_key"] = cache.DefaultKey;
            AddDebug(reply, req, debug, resident);
            return new JsonObject { ["artifact"] = reply };
        }
    }

    /// <summary>
    /// Prefills the artifact's tokens into a key and binds it; false when <paramref name="onlyIfMissing"/> and the key
    /// already holds it. A Generator just prefilled by the compilation is attached as it is (no second prefill).
    /// </summary>
    private static async Task<bool> FillAsync(
        ResidentModel resident, PromptCacheStore cache, string key, KvBinding binding, TimeSpan? ttl, InferenceSettings settings, bool onlyIfMissing,
        Prefilled? prefilled)
    {
        var entry = cache.Checkout(key, ttl)
            ?? throw new BlocException(409, $"Prompt cache key '{key}' is in use by a running request; load again when it is done.", "prompt_cache_busy");
        var ok = false;
        try
        {
            if (onlyIfMissing && entry.Binding?.BindingId == binding.BindingId && entry.Holds(binding))
            {
                ok = true;
                return false;
            }

            if (prefilled is not null)
            {
                entry.Attach(prefilled.Take(), Generation.SamplingOptions.Default, prefilled.MaxLength);
                entry.Remember(binding.Tokens, lastFed: true);
            }
            else
            {
                await Task.Run(() => GeneratorReuse.Prefill(resident.Model, cache, entry, binding.Tokens, settings.DefaultMaxTokens), CancellationToken.None);
            }

            entry.Binding = binding;
            ok = true;
            return true;
        }
        finally
        {
            cache.Return(entry, ok);
        }
    }

    /// <summary>
    /// The artifact to use: the one on disk when it is current, else compiled from the request's text (written to disk).
    /// A stale artifact (other model files, tokenizer or template) is rebuilt by ensure and refused by load (409) unless
    /// <c>force_rebuild</c>.
    /// </summary>
    private static async Task<(string Path, int[] Tokens, KvManifest Manifest, bool Compiled, bool Rebuilt, JsonObject Debug, Prefilled? Prefilled)> ResolveAsync(
        BlocRequest req, ResidentModel resident, BlocsContext c, bool refuseStale, CancellationToken aborted)
    {
        var path = c.Store.ArtifactPath(resident.Name, req.Sha256, req.ArtifactPath);
        var existing = KvArtifactStore.ReadManifest(path);
        var tokens = existing is null ? null : KvArtifactStore.ReadTokens(path, existing);
        var usable = existing is not null && tokens is not null && existing.KvFormat == KvManifest.TokenIds;
        var stale = usable && existing!.ModelFingerprint != resident.Fingerprint.Id;
        var debug = new JsonObject();
        if (usable && !stale && !req.ForceRebuild)
        {
            debug["source"] = "disk";
            return (path, tokens!, existing!, false, false, debug, null);
        }

        if (stale && refuseStale && !req.ForceRebuild)
        {
            throw new BlocException(409,
                $"The bloc KV artifact {path} is stale: the model files, tokenizer or chat template of '{resident.Name}' changed since it was compiled. " +
                "Run kv/ensure to rebuild it, or load with \"force_rebuild\": true.", "bloc_kv_stale", new JsonObject { ["stale"] = true, ["artifact_path"] = path });
        }

        if (req.Text is null)
        {
            if (existing is null)
            {
                throw new BlocException(404, $"No bloc KV artifact for sha256 {req.Sha256} and model '{resident.Name}'; send the bloc text to compile it.",
                    "bloc_kv_not_found");
            }

            throw InferenceException.BadRequest(
                stale ? "The bloc KV artifact is stale; the bloc text is required to rebuild it." : "The bloc text is required to rebuild the artifact.", "text");
        }

        BlocCompiler.Compiled compiled;
        using (await c.Scheduler.For(resident.Name).EnterAsync(aborted))
        {
            compiled = await Task.Run(
                () => BlocCompiler.Compile(resident, req.Text, req.Sha256, req.BlocId, c.Time.GetUtcNow(), c.Settings.DefaultMaxTokens), CancellationToken.None);
        }

        try
        {
            KvArtifactStore.Write(path, compiled.Artifact, compiled.Manifest);
        }
        catch
        {
            compiled.Prefilled.Dispose();
            throw;
        }

        debug["source"] = "compiled";
        debug["render_ms"] = Math.Round(compiled.RenderMs, 3);
        debug["prefill_ms"] = Math.Round(compiled.PrefillMs, 3);
        return (path, compiled.Tokens, compiled.Manifest, true, existing is not null, debug, compiled.Prefilled);
    }

    private static JsonObject Artifact(string path, KvManifest manifest, KvBinding binding, string key, bool compiled, bool rebuilt) => new()
    {
        ["artifact_path"] = path,
        ["manifest_path"] = KvArtifactStore.ManifestPath(path),
        ["compiled"] = compiled,
        ["rebuilt"] = rebuilt,
        ["stale"] = false,
        ["kv_format"] = manifest.KvFormat,
        ["binding_id"] = binding.BindingId,
        ["prompt_cache_binding"] = binding.ToJson(key),
        ["manifest"] = manifest.ToJson(),
    };

    private static void AddDebug(JsonObject reply, BlocRequest req, JsonObject debug, ResidentModel resident)
    {
        if (!req.Debug)
        {
            return;
        }

        debug["runtime_id"] = resident.RuntimeId;
        debug["kv_format"] = KvManifest.TokenIds;
        debug["restore"] = "prefill from the artifact's token ids (ONNX Runtime GenAI cannot restore KV tensors into a Generator)";
        debug["prompt_cache"] = RuntimeJson.Stats(resident.PromptCache.Stats());
        reply["debug"] = debug;
    }

    private static JsonObject Manifest(HttpRequest request, BlocsContext c)
    {
        var req = BlocRequest.FromQuery(request, c);
        var model = req.ModelName ?? (req.ArtifactPath is null ? throw InferenceException.BadRequest("model (or runtime_id) is required.", "model") : null);
        var path = c.Store.ArtifactPath(model ?? "", req.Sha256, req.ArtifactPath);
        if (KvArtifactStore.ReadManifest(path) is not { } manifest || (model is not null && manifest.Model != model))
        {
            throw new BlocException(404, "bloc KV manifest not found", "bloc_kv_not_found");
        }

        return new JsonObject
        {
            ["artifact_path"] = path,
            ["manifest_path"] = KvArtifactStore.ManifestPath(path),
            ["stale"] = IsStale(manifest, c),
            ["manifest"] = manifest.ToJson(),
        };
    }

    private static JsonObject List(HttpRequest request, BlocsContext c)
    {
        var req = BlocRequest.FromQuery(request, c, shaRequired: false);
        var rows = c.Store.List(req.ModelName, req.OptionalSha256).Select(a => (JsonNode)new JsonObject
        {
            ["artifact_path"] = a.ArtifactPath,
            ["manifest_path"] = KvArtifactStore.ManifestPath(a.ArtifactPath),
            ["model"] = a.Manifest.Model,
            ["sha256"] = a.Manifest.Sha256,
            ["kv_format"] = a.Manifest.KvFormat,
            ["stale"] = IsStale(a.Manifest, c),
            ["live_bindings"] = LiveJson(Live(c, a.Manifest.Model, a.Manifest.Sha256)),
            ["manifest"] = a.Manifest.ToJson(),
        });
        return new JsonObject { ["artifacts"] = new JsonArray(rows.ToArray()) };
    }

    private static async Task<JsonObject> DeleteAsync(HttpRequest request, BlocsContext c)
    {
        var req = await BlocRequest.ReadAsync(request, c, needModel: false);
        var model = req.ModelName ?? (req.ArtifactPath is null ? throw InferenceException.BadRequest("model (or runtime_id) is required.", "model") : null);
        var path = c.Store.ArtifactPath(model ?? "", req.Sha256, req.ArtifactPath);
        if (KvArtifactStore.ReadManifest(path) is not { } manifest)
        {
            throw new BlocException(404, "bloc KV artifact not found", "bloc_kv_not_found");
        }

        var live = Live(c, manifest.Model, manifest.Sha256);
        if (live.Count > 0 && !req.ClearLoaded && !req.Force)
        {
            throw new BlocException(409, "matching bloc KV artifact may be loaded in a live prompt-cache key", "bloc_kv_live",
                new JsonObject { ["live_bindings"] = LiveJson(live) });
        }

        var cleared = req.DryRun || !req.ClearLoaded ? [] : Clear(live);
        if (!req.DryRun)
        {
            KvArtifactStore.Delete(path);
        }

        return new JsonObject
        {
            ["dry_run"] = req.DryRun,
            ["deleted"] = !req.DryRun,
            ["would_delete"] = req.DryRun,
            ["artifact_path"] = path,
            ["manifest_path"] = KvArtifactStore.ManifestPath(path),
            ["sha256"] = manifest.Sha256,
            ["model"] = manifest.Model,
            ["live_bindings"] = LiveJson(live),
            ["cleared_keys"] = new JsonArray(cleared.Select(k => (JsonNode)k).ToArray()),
        };
    }

    private static async Task<JsonObject> PruneAsync(HttpRequest request, BlocsContext c)
    {
        var req = await BlocRequest.ReadAsync(request, c, needModel: false, shaRequired: false);
        var artifacts = c.Store.List(req.ModelName, req.OptionalSha256);

        // Live keys count even when their artifact's files are already gone: the gateway asks before deleting a bloc.
        var live = Live(c, req.ModelName, req.OptionalSha256);
        if (live.Count > 0 && !req.ClearLoaded && !req.Force)
        {
            throw new BlocException(409, "matching bloc KV artifacts may be loaded in live prompt-cache keys", "bloc_kv_live",
                new JsonObject { ["live_bindings"] = LiveJson(live) });
        }

        var results = new JsonArray();
        foreach (var (path, manifest) in artifacts)
        {
            var own = live.Where(l => l.Binding.Model == manifest.Model && l.Binding.Sha256 == manifest.Sha256).ToList();
            if (!req.DryRun)
            {
                KvArtifactStore.Delete(path);
            }

            results.Add(new JsonObject
            {
                ["artifact_path"] = path,
                ["manifest_path"] = KvArtifactStore.ManifestPath(path),
                ["model"] = manifest.Model,
                ["sha256"] = manifest.Sha256,
                ["deleted"] = !req.DryRun,
                ["would_delete"] = req.DryRun,
                ["stale"] = IsStale(manifest, c),
                ["live_bindings"] = LiveJson(own),
            });
        }

        var cleared = req.DryRun || !req.ClearLoaded ? [] : Clear(live);
        return new JsonObject
        {
            ["dry_run"] = req.DryRun,
            ["count"] = results.Count,
            ["results"] = results,
            ["live_bindings"] = LiveJson(live),
            ["cleared_keys"] = new JsonArray(cleared.Select(k => (JsonNode)k).ToArray()),
        };
    }

    /// <summary>An artifact is stale when its model's files differ from those it was built from (those of the loaded runtime, else on disk).</summary>
    private static bool IsStale(KvManifest manifest, BlocsContext c)
    {
        if (c.Residency.Find(manifest.Model) is { IsLoaded: true } resident)
        {
            return resident.Fingerprint.Id != manifest.ModelFingerprint;
        }

        return c.Catalog.Find(manifest.Model) is not { } folder || ModelFingerprint.Of(folder.Path).Id != manifest.ModelFingerprint;
    }

    private static List<(ResidentModel Resident, string Key, KvBinding Binding)> Live(BlocsContext c, string? model, string? sha256) =>
        c.Residency.Loaded
            .Where(r => model is null || r.Name == model)
            .SelectMany(r => r.PromptCache.LiveBindings().Select(l => (Resident: r, l.Key, l.Binding)))
            .Where(l => sha256 is null || l.Binding.Sha256 == sha256)
            .ToList();

    private static JsonArray LiveJson(IEnumerable<(ResidentModel Resident, string Key, KvBinding Binding)> live) =>
        new(live.Select(l =>
        {
            var json = l.Binding.ToJson(l.Key);
            json["runtime_id"] = l.Resident.RuntimeId;
            return (JsonNode)json;
        }).ToArray());

    private static List<string> Clear(List<(ResidentModel Resident, string Key, KvBinding Binding)> live)
    {
        foreach (var (resident, key, _) in live)
        {
            resident.PromptCache.Clear(key);
        }

        return live.Select(l => l.Key).ToList();
    }

    /// <summary>The fields every KV route reads, checked once.</summary>
    private sealed record BlocRequest(
        ModelFolder? Folder, string? ModelName, string? OptionalSha256, string? Text, JsonNode? BlocId, string? ArtifactPath, string? StableCacheKey,
        string? Key, bool MakeDefault, bool ForceRebuild, bool ClearLoaded, bool Force, bool DryRun, bool Debug, TimeSpan? Ttl)
    {
        public string Sha256 => OptionalSha256 ?? throw InferenceException.BadRequest("sha256 is required.", "sha256");

        /// <summary>The key the artifact's KV lives in unless <c>stable_cache_key</c> names one.</summary>
        public string StableKey => StableCacheKey ?? "bloc:" + Sha256;

        public static async Task<BlocRequest> ReadAsync(HttpRequest request, BlocsContext c, bool needModel, bool shaRequired = true)
        {
            var body = await JsonReply.ReadObjectAsync(request, request.HttpContext.RequestAborted);
            if (body.ContainsKey("api_key"))
            {
                throw InferenceException.BadRequest("api_key is not accepted in request bodies.", "api_key");
            }

            return From(body, c, needModel, shaRequired);
        }

        public static BlocRequest FromQuery(HttpRequest request, BlocsContext c, bool shaRequired = true)
        {
            if (request.Query.ContainsKey("api_key"))
            {
                throw InferenceException.BadRequest("api_key is not accepted here.", "api_key");
            }

            var body = new JsonObject();
            foreach (var (name, values) in request.Query)
            {
                if (values.FirstOrDefault() is { } value)
                {
                    body[name] = value;
                }
            }

            return From(body, c, needModel: false, shaRequired);
        }

        private static BlocRequest From(JsonObject body, BlocsContext c, bool needModel, bool shaRequired)
        {
            var text = body["text"] is JsonValue t && t.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
            var sha = JsonReply.String(body, "sha256")?.Trim().ToLowerInvariant()
                ?? (text is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
            if (sha is null && shaRequired)
            {
                throw InferenceException.BadRequest("sha256 (or the bloc text) is required.", "sha256");
            }

            // The sha256 names files on disk: a hash-like identifier only.
            if (sha is not null && (sha.Length > 128 || !sha.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_')))
            {
                throw InferenceException.BadRequest("sha256 must be a hex digest (letters, digits, '-' or '_').", "sha256");
            }

            ModelFolder? folder = null;
            string? name;
            if (needModel)
            {
                folder = ResidencyApi.Select(c.Catalog, body, c.Residency)
                    ?? throw InferenceException.BadRequest("model (or provider+model, or runtime_id) is required for bloc KV artifacts.", "model");
                name = folder.Name;
            }
            else
            {
                ResidencyApi.CheckProvider(JsonReply.String(body, "provider"));
                name = ModelCatalog.Normalize(JsonReply.String(body, "model"));
                if (name is null && JsonReply.String(body, "runtime_id") is { } runtimeId)
                {
                    name = c.Residency.Loaded.FirstOrDefault(r => r.RuntimeId == runtimeId)?.Name
                        ?? throw new BlocException(404, "Loaded gateway runtime not found. Load it first with /acore/models/load.", "runtime_not_found");
                }

                if (name is not null && (name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal) || name.IndexOfAny(['/', '\\']) >= 0))
                {
                    throw InferenceException.BadRequest($"'{name}' is not a model name.", "model");
                }
            }

            return new BlocRequest(
                folder, name, sha, text, body["bloc_id"]?.DeepClone(), JsonReply.String(body, "artifact_path")?.Trim(),
                JsonReply.String(body, "stable_cache_key")?.Trim(), JsonReply.String(body, "key")?.Trim(),
                Flag(body, "make_default"), Flag(body, "force_rebuild"), Flag(body, "clear_loaded"), Flag(body, "force"), Flag(body, "dry_run"),
                Flag(body, "debug"), JsonReply.Number(body, "ttl_s") is { } ttl and > 0 ? TimeSpan.FromSeconds(ttl) : null);
        }

        /// <summary>A boolean sent as JSON true/false or, from a query string, "true"/"1".</summary>
        private static bool Flag(JsonObject body, string name) =>
            JsonReply.Bool(body, name, false) || JsonReply.String(body, name)?.Trim().ToLowerInvariant() is "true" or "1";
    }
}

/// <summary>A refused bloc KV request with fields of its own beside the error (e.g. <c>live_bindings</c>).</summary>
internal sealed class BlocException(int status, string message, string? code = null, JsonObject? details = null)
    : InferenceException(status, message, status == 409 ? "conflict_error" : "invalid_request_error", null, code)
{
    public JsonObject? Details { get; } = details;
}

/// <summary>The services the bloc KV routes use.</summary>
internal sealed record BlocsContext(
    ModelCatalog Catalog, ModelResidency Residency, Scheduler Scheduler, InferenceSettings Settings, KvArtifactStore Store, TimeProvider Time);
