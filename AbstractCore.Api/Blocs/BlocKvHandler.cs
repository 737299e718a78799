using System.Text.Json.Nodes;
using AbstractCore.Api.ControlPlane;
using AbstractCore.Blocs;

namespace AbstractCore.Api.Blocs;

/// <summary>
/// <c>/acore/blocs/kv/*</c>. The KV artifacts live in the Inference service (<c>onnx/&lt;model&gt;</c>), which never
/// reads the bloc store: for ensure and load the bloc's text is looked up here and sent with its sha256 and bloc_id.
/// Another provider has no local KV runtime (400 <c>prompt_cache_unsupported</c>); with <c>base_url</c> an upstream
/// AbstractEndpoint serves the call.
/// </summary>
internal sealed class BlocKvHandler(IBlocStore store, BlocForwarding forwarding)
{
    /// <summary>The operations, by the path under <c>kv/</c>: GET or POST, and whether they need the bloc's text.</summary>
    public static readonly (string Name, bool IsGet, bool NeedsText, bool NeedsBloc)[] Operations =
    [
        ("manifest", true, false, true),
        ("list", true, false, false),
        ("ensure", false, true, true),
        ("load", false, true, true),
        ("delete", false, false, true),
        ("prune", false, false, false),
    ];

    public Task<IResult> HandleAsync(HttpContext context, string name)
    {
        var (_, _, needsText, needsBloc) = Operations.Single(o => o.Name == name);
        var operation = "kv_" + name;
        var path = BlocsEndpoints.Base + "/kv/" + name;
        return forwarding.RunAsync(context, operation, path, async (call, ct) =>
        {
            var selector = ControlPlaneRequest.FromBody(call.Fields);
            if (selector.Provider is { } provider && !selector.IsLocal)
            {
                throw new BlocProblem(400,
                    $"provider '{provider}' has no local KV runtime; bloc KV artifacts are served by onnx/<model> or, with base_url, by an upstream AbstractEndpoint",
                    new JsonObject { ["code"] = "prompt_cache_unsupported" });
            }

            var bloc = call.Selector();
            var hasRuntime = selector.IsLocal || selector.RuntimeId is not null;
            if (needsBloc && !hasRuntime)
            {
                throw BlocProblem.BadRequest("runtime_id or provider+model (or base_url for an upstream AbstractEndpoint) is required");
            }

            if (needsBloc && bloc.IsEmpty)
            {
                throw BlocProblem.BadRequest("sha256 or bloc_id is required");
            }

            // A sha256 alone reaches artifacts whose bloc may be gone (a delete that kept them); a bloc_id, and the
            // text ensure and load compile, need the record.
            var record = bloc.IsEmpty ? null : await store.GetAsync(bloc, ct);
            if (record is null && (needsText || bloc is { Sha256: null, BlocId: not null }))
            {
                throw BlocProblem.NotFound();
            }

            string? text = null;
            if (needsText)
            {
                text = await store.GetTextAsync(record!, ct) ?? throw BlocProblem.NotFound();
            }

            if (!hasRuntime && !forwarding.HasInference)
            {
                // list and prune over every model: no Inference service, no artifacts.
                return BlocAnswers.Ok(operation, new JsonObject { [name == "list" ? "artifacts" : "results"] = new JsonArray() });
            }

            var body = selector.Forwarded(keepModel: true);
            body.Remove("bloc_id");
            body.Remove("sha256");
            if ((record?.Sha256 ?? bloc.Sha256) is { } sha)
            {
                body["sha256"] = sha;
            }

            if (record is not null)
            {
                body["bloc_id"] = record.BlocId;
            }

            if (text is not null)
            {
                body["text"] = text;
            }

            var (status, answer) = await forwarding.InferenceAsync(path, call.IsGet ? null : body, call.IsGet ? ControlPlaneRequest.Query(body) : null, ct);
            return Results.Text(answer, "application/json", statusCode: status);
        });
    }
}
