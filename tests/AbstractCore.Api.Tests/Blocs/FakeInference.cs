using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>One call the fake Inference received: method, path, query string and JSON body (null for a GET).</summary>
public sealed record InferenceCall(string Method, string Path, string Query, JsonObject? Body);

/// <summary>
/// The Inference service's bloc KV routes as the issue 17 contract states them, on real Kestrel (127.0.0.1, random port):
/// each call is recorded; <c>kv/prune</c> and <c>kv/delete</c> answer 409 with the live bindings set for a sha256 unless
/// <c>clear_loaded</c> or <c>force</c>. The artifacts it answers are made from what it was sent, so a test sees the
/// gateway's request in the answer too.
/// </summary>
public sealed class FakeInference : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<InferenceCall> _calls = new();

    private FakeInference(WebApplication app) => _app = app;

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, the Inference root (no <c>/v1</c>).</summary>
    public string Root { get; private set; } = "";

    public IReadOnlyList<InferenceCall> Calls => [.. _calls];

    /// <summary>The sha256s whose artifacts <c>kv/prune</c> answers 404 for (none found).</summary>
    public ConcurrentDictionary<string, bool> NoArtifacts { get; } = new();

    /// <summary>Live prompt-cache bindings by bloc sha256.</summary>
    public ConcurrentDictionary<string, JsonArray> LiveBindings { get; } = new();

    public static async Task<FakeInference> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production });
        builder.Configuration.Sources.Clear(); // nothing from the host process (ASPNETCORE_URLS, appsettings) leaks in
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var fake = new FakeInference(builder.Build());
        fake._app.Run(fake.AnswerAsync);
        await fake._app.StartAsync();
        var address = fake._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        fake.Root = address.TrimEnd('/');
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        JsonObject? body = null;
        if (HttpMethods.IsPost(request.Method))
        {
            body = await JsonNode.ParseAsync(request.Body) as JsonObject;
        }

        var path = request.Path.Value ?? "";
        _calls.Enqueue(new InferenceCall(request.Method, path, request.QueryString.Value ?? "", body));
        var fields = body ?? new JsonObject(request.Query.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)JsonValue.Create(q.Value.ToString()))));
        var sha = (string?)fields["sha256"];
        var (status, answer) = path switch
        {
            "/acore/blocs/kv/ensure" => (200, Ok("kv_ensure", "artifact", Artifact(fields))),
            "/acore/blocs/kv/load" => (200, Ok("kv_load", "artifact", Artifact(fields))),
            "/acore/blocs/kv/manifest" => (200, Ok("kv_manifest", "manifest", new JsonObject { ["model"] = fields["model"]?.DeepClone(), ["sha256"] = sha })),
            "/acore/blocs/kv/list" => (200, Ok("kv_list", "artifacts", new JsonArray(new JsonObject { ["model"] = fields["model"]?.DeepClone(), ["sha256"] = sha }))),
            "/acore/blocs/kv/delete" => Delete("kv_delete", "matching bloc KV artifact may be loaded in a live prompt-cache key", fields, sha),
            "/acore/blocs/kv/prune" => Delete("kv_prune", "matching bloc KV artifacts may be loaded in live prompt-cache keys", fields, sha),
            _ => (404, new JsonObject { ["ok"] = false, ["error"] = "no route " + path }),
        };
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString());
    }

    private (int, JsonObject) Delete(string operation, string refusal, JsonObject fields, string? sha)
    {
        if (sha is not null && NoArtifacts.ContainsKey(sha))
        {
            return (404, new JsonObject { ["ok"] = false, ["operation"] = operation, ["error"] = "no matching bloc KV artifacts" });
        }

        var (clear, force, dryRun) = (Flag(fields, "clear_loaded"), Flag(fields, "force"), Flag(fields, "dry_run"));
        var live = sha is not null && LiveBindings.TryGetValue(sha, out var bindings) ? bindings : [];
        if (live.Count > 0 && !clear && !force)
        {
            return (409, new JsonObject { ["ok"] = false, ["operation"] = operation, ["error"] = refusal, ["live_bindings"] = live.DeepClone() });
        }

        if (!dryRun && sha is not null)
        {
            LiveBindings.TryRemove(sha, out _);
        }

        var result = new JsonObject { ["sha256"] = sha, ["deleted"] = !dryRun, ["dry_run"] = dryRun, ["cleared_bindings"] = live.DeepClone() };
        return (200, operation == "kv_prune" ? Ok(operation, "results", new JsonArray(result)) : Ok(operation, "result", result));
    }

    private static JsonObject Artifact(JsonObject fields) => new()
    {
        ["artifact_path"] = $"/artifacts/{fields["model"]}/{fields["sha256"]}",
        ["model"] = fields["model"]?.DeepClone(),
        ["sha256"] = fields["sha256"]?.DeepClone(),
        ["bloc_id"] = fields["bloc_id"]?.DeepClone(),
        ["text_chars"] = ((string?)fields["text"])?.Length,
        ["binding_id"] = "bind_" + ((string?)fields["sha256"])?[..8],
    };

    private static bool Flag(JsonObject fields, string name) => fields[name] is JsonValue v && (v.TryGetValue<bool>(out var b) ? b : (string?)v == "true");

    private static JsonObject Ok(string operation, string name, JsonNode value) => new() { ["ok"] = true, ["operation"] = operation, [name] = value };
}
