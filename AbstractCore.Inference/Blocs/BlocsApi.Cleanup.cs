using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Residency;

namespace AbstractCore.Inference.Blocs;

/// <summary><c>kv/manifest</c>, <c>kv/list</c>, <c>kv/delete</c> and <c>kv/prune</c>, with the live keys that hold an artifact.</summary>
internal static partial class BlocsApi
{
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
}
