using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// <c>/acore/blocs/kv/*</c> on the local runtime: bloc KV artifacts on disk and their loading into prompt-cache keys.
/// The bloc text comes in the request (the gateway holds the bloc store). Answers are the specification's
/// <c>{"ok":…,"operation":…}</c> shapes, failures included (<c>{"ok":false,"operation","error"}</c> with their status).
/// </summary>
internal static partial class BlocsApi
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
}
