using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.PromptCache;
using AbstractCore.Inference.Residency;

namespace AbstractCore.Inference.Blocs;

/// <summary><c>kv/ensure</c> and <c>kv/load</c>: the artifact compiled or found, and filled into a prompt-cache key.</summary>
internal static partial class BlocsApi
{
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
}
