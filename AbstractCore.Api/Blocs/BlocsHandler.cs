using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Api.ControlPlane;
using AbstractCore.Blocs;

namespace AbstractCore.Api.Blocs;

/// <summary>
/// The bloc records: <c>upsert_text</c>, list, record and delete, against the gateway's bloc store (spec 9.3), or the
/// upstream's with <c>base_url</c>. A delete also removes the bloc's KV artifacts in the Inference service, refusing
/// (409) while one is loaded in a live prompt-cache key unless <c>clear_loaded</c> or <c>force</c>.
/// </summary>
internal sealed class BlocsHandler(IBlocStore store, BlocForwarding forwarding, TimeProvider time)
{
    public Task<IResult> UpsertAsync(HttpContext context) =>
        forwarding.RunAsync(context, "upsert_text", BlocsEndpoints.Base + "/upsert_text", async (call, ct) =>
        {
            var content = call.Text("content") ?? throw BlocProblem.BadRequest("content is required");
            var path = call.Text("path") ?? throw BlocProblem.BadRequest("path is required");
            var bytes = Encoding.UTF8.GetBytes(content);
            var contentSha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (call.Sha256("content_sha256") is { } claimed && claimed != contentSha)
            {
                // The text is kept under this hash: a different one would file it where it does not belong.
                throw BlocProblem.BadRequest("'content_sha256' does not match the sha256 of content.");
            }

            var record = await store.UpsertAsync(new BlocRecord
            {
                Sha256 = call.Sha256("sha256") ?? contentSha,
                Path = path,
                MediaType = call.Text("media_type") ?? "text",
                SizeBytes = call.Count("size_bytes") ?? bytes.Length,
                MtimeNs = call.Count("mtime_ns") ?? (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100,
                Format = call.Text("format"),
                EstimatedTokens = call.Count("estimated_tokens"),
                RelpathBase = call.Text("relpath_base"),
                Summary = call.Text("summary"),
                Keywords = Keywords(call),
                ContentSha256 = contentSha,
            }, content, ct);
            return BlocAnswers.Ok(call.Operation, new JsonObject { ["record"] = record.ToJson() });
        });

    public Task<IResult> ListAsync(HttpContext context) =>
        forwarding.RunAsync(context, "list", BlocsEndpoints.Base, async (call, ct) =>
        {
            var records = await store.ListAsync(call.Selector(), ct);
            return BlocAnswers.Ok(call.Operation, new JsonObject { ["records"] = new JsonArray([.. records.Select(r => (JsonNode)r.ToJson())]) });
        });

    public Task<IResult> RecordAsync(HttpContext context) =>
        forwarding.RunAsync(context, "record", BlocsEndpoints.Base + "/record", async (call, ct) =>
        {
            var record = await FindAsync(call, ct);
            return BlocAnswers.Ok(call.Operation, new JsonObject { ["record"] = record.ToJson() });
        });

    public Task<IResult> DeleteAsync(HttpContext context) =>
        forwarding.RunAsync(context, "delete", BlocsEndpoints.Base + "/delete", async (call, ct) =>
        {
            var (deleteKv, clearLoaded, force, dryRun) =
                (call.Flag("delete_kv", true), call.Flag("clear_loaded", false), call.Flag("force", false), call.Flag("dry_run", false));
            var record = await FindAsync(call, ct);

            // The artifacts live in the Inference service; without one there are none to look at.
            JsonNode? kv = null;
            var live = new JsonArray();
            if (deleteKv && forwarding.HasInference)
            {
                var (_, check) = await PruneAsync(record, dryRun: true, clearLoaded: false, force: false, ct);
                live = LiveBindings(check);
                kv = check;
            }

            if (live.Count > 0 && !clearLoaded && !force)
            {
                throw new BlocProblem(409, "bloc has loaded KV artifacts in live prompt-cache keys", new JsonObject { ["live_bindings"] = live });
            }

            if (!dryRun)
            {
                if (deleteKv && forwarding.HasInference)
                {
                    var (status, pruned) = await PruneAsync(record, dryRun: false, clearLoaded, force, ct);
                    if (status is >= 400 and not 404)
                    {
                        // A key bound since the check: the bloc stays, as its artifacts do.
                        throw new BlocProblem(status, "the bloc's KV artifacts could not be deleted: " + ErrorText(pruned),
                            new JsonObject { ["live_bindings"] = LiveBindings(pruned), ["kv"] = pruned?.DeepClone() });
                    }

                    kv = pruned;
                }

                await store.DeleteAsync(record.Sha256, ct);
            }

            return BlocAnswers.Ok(call.Operation, new JsonObject
            {
                ["deleted"] = !dryRun, ["dry_run"] = dryRun, ["record"] = record.ToJson(), ["delete_kv"] = deleteKv,
                ["kv"] = kv?.DeepClone(), ["live_bindings"] = live.DeepClone(),
            });
        });

    /// <summary>The record the call names; 400 when it names none, 404 when there is no such bloc.</summary>
    private async Task<BlocRecord> FindAsync(BlocCall call, CancellationToken cancellationToken)
    {
        var selector = call.Selector();
        if (selector.IsEmpty)
        {
            throw BlocProblem.BadRequest("sha256 or bloc_id is required");
        }

        return await store.GetAsync(selector, cancellationToken) ?? throw BlocProblem.NotFound();
    }

    /// <summary>Inference's <c>kv/prune</c> for the bloc's sha256 (every model); a 409 there names the live bindings, a
    /// 404 finds no artifact to prune (nothing holds the bloc).</summary>
    private async Task<(int Status, JsonNode? Body)> PruneAsync(BlocRecord record, bool dryRun, bool clearLoaded, bool force, CancellationToken cancellationToken)
    {
        var (status, text) = await forwarding.InferenceAsync(BlocsEndpoints.Base + "/kv/prune", new JsonObject
        {
            ["sha256"] = record.Sha256, ["dry_run"] = dryRun, ["clear_loaded"] = clearLoaded, ["force"] = force,
        }, null, cancellationToken);
        var body = ControlPlaneForwarder.ParseJson(text) as JsonObject;
        if (status >= 400 && status is not (404 or 409))
        {
            throw new BlocProblem(status >= 500 ? 502 : status, "the inference service refused the KV check: " + (body is null ? text : ErrorText(body)));
        }

        return (status, body);
    }

    /// <summary>The bindings a prune answer names: at its top (a 409) or in its results (a dry run's report).</summary>
    private static JsonArray LiveBindings(JsonNode? answer)
    {
        var bindings = new JsonArray();
        void Add(JsonNode? list)
        {
            foreach (var binding in list as JsonArray ?? [])
            {
                bindings.Add(binding?.DeepClone());
            }
        }

        Add(answer?["live_bindings"]);
        foreach (var result in answer?["results"] as JsonArray ?? [])
        {
            Add(result?["live_bindings"]);
        }

        return bindings;
    }

    private static string ErrorText(JsonNode? answer) => answer?["error"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o when o["message"] is JsonValue m => m.ToString(),
        _ => answer?.ToJsonString() ?? "no answer",
    };

    /// <summary>keywords: an array of strings, or one comma-separated string.</summary>
    private static string[] Keywords(BlocCall call) => call.Fields["keywords"] switch
    {
        null => [],
        JsonArray a when a.All(k => k is JsonValue v && v.TryGetValue<string>(out _)) => [.. a.Select(k => k!.GetValue<string>())],
        JsonValue v when v.TryGetValue<string>(out var s) => [.. s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        _ => throw BlocProblem.BadRequest("'keywords' must be an array of strings."),
    };
}
