using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Blocs;

/// <summary>kv/delete and kv/prune with live keys, dry_run; stale artifacts after the model's files change.</summary>
public sealed class BlocKvDeleteTests : IAsyncLifetime
{
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Delete_refuses_a_live_artifact_unless_clear_loaded_or_force_and_dry_run_changes_nothing()
    {
        var loaded = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = Blocs.Text("delete"), ["key"] = "del:work" });
        var sha = (string)loaded["manifest"]!["sha256"]!;
        var path = (string)loaded["artifact_path"]!;

        var (status, refused) = await Blocs.PostAsync(Http, "delete", new JsonObject { ["model"] = "tiny", ["sha256"] = sha });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.False((bool)refused["ok"]!);
        Assert.Equal("kv_delete", (string?)refused["operation"]);
        Assert.Equal("matching bloc KV artifact may be loaded in a live prompt-cache key", (string?)refused["error"]);
        Assert.Equal(["bloc:" + sha, "del:work"], refused["live_bindings"]!.AsArray().Select(b => (string)b!["key"]!).Order(StringComparer.Ordinal));
        Assert.All(refused["live_bindings"]!.AsArray(), b => Assert.Equal((string?)loaded["binding_id"], (string?)b!["binding_id"]));

        var dry = await Blocs.OkAsync(Http, "delete", new JsonObject { ["model"] = "tiny", ["sha256"] = sha, ["clear_loaded"] = true, ["dry_run"] = true });
        Assert.True((bool)dry["dry_run"]!);
        Assert.False((bool)dry["deleted"]!);
        Assert.Equal(2, dry["live_bindings"]!.AsArray().Count);
        Assert.True(File.Exists(path));
        Assert.Equal(2, (await Blocs.StatsAsync(Http, "tiny"))["entries"]!.AsArray().Count(e => e!["binding_id"] is not null));

        var deleted = await Blocs.OkAsync(Http, "delete", new JsonObject { ["model"] = "tiny", ["sha256"] = sha, ["clear_loaded"] = true });
        Assert.True((bool)deleted["deleted"]!);
        Assert.Equal(2, deleted["cleared_keys"]!.AsArray().Count);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists((string)loaded["manifest_path"]!));
        Assert.Empty((await Blocs.StatsAsync(Http, "tiny"))["entries"]!.AsArray());

        var (gone, _) = await Blocs.PostAsync(Http, "delete", new JsonObject { ["model"] = "tiny", ["sha256"] = sha });
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task Force_deletes_the_files_and_leaves_the_live_key_answering()
    {
        var text = Blocs.Text("force");
        var loaded = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = text, ["key"] = "force:work" });
        var deleted = await Blocs.OkAsync(Http, "delete", new JsonObject { ["model"] = "tiny", ["sha256"] = (string?)loaded["manifest"]!["sha256"], ["force"] = true });

        Assert.True((bool)deleted["deleted"]!);
        Assert.Empty(deleted["cleared_keys"]!.AsArray());
        var (response, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, loaded["prompt_cache_binding"]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the KV state in memory is still exactly that artifact
        Assert.Equal(TinyVocabulary.ChatAnswer, Blocs.Answer(chat!));
    }

    [Fact]
    public async Task Prune_reports_live_bindings_with_dry_run_refuses_them_and_deletes_the_rest()
    {
        var live = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = Blocs.Text("prune live") });
        var idle = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = "tiny", ["text"] = Blocs.Text("prune idle") });
        var liveSha = (string)live["manifest"]!["sha256"]!;

        // The gateway's bloc delete asks with dry_run first: live bindings of that sha256, nothing changed.
        var dry = await Blocs.OkAsync(Http, "prune", new JsonObject { ["sha256"] = liveSha, ["dry_run"] = true, ["force"] = true });
        Assert.Equal("kv_prune", (string?)dry["operation"]);
        Assert.Equal((string?)live["binding_id"], (string?)Assert.Single(dry["live_bindings"]!.AsArray())!["binding_id"]);
        Assert.False((bool)Assert.Single(dry["results"]!.AsArray())!["deleted"]!);
        Assert.True(File.Exists((string)live["artifact_path"]!));

        var (status, refused) = await Blocs.PostAsync(Http, "prune", new JsonObject { ["model"] = "tiny" });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("matching bloc KV artifacts may be loaded in live prompt-cache keys", (string?)refused["error"]);
        Assert.Single(refused["live_bindings"]!.AsArray());
        Assert.True(File.Exists((string)idle["artifact_path"]!));

        var idleOnly = await Blocs.OkAsync(Http, "prune", new JsonObject { ["model"] = "tiny", ["sha256"] = (string?)idle["manifest"]!["sha256"] });
        Assert.True((bool)Assert.Single(idleOnly["results"]!.AsArray())!["deleted"]!);
        Assert.False(File.Exists((string)idle["artifact_path"]!));

        var all = await Blocs.OkAsync(Http, "prune", new JsonObject { ["clear_loaded"] = true });
        Assert.Equal(1, (int)all["count"]!);
        Assert.Single(all["cleared_keys"]!.AsArray());
        var (_, list) = await Blocs.GetAsync(Http, "list");
        Assert.Empty(list["artifacts"]!.AsArray());
    }

    [Fact]
    public async Task An_artifact_whose_model_files_changed_is_stale_refused_by_load_and_rebuilt_by_ensure()
    {
        // A model of its own: the shared test models must not change under other tests.
        var name = "bloc-stale-" + Guid.NewGuid().ToString("N")[..8];
        var folder = TinyModelWriter.Write(Path.Combine(TestModels.Directory, name));
        var text = Blocs.Text("stale");
        var ensured = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = name, ["text"] = text });
        var sha = (string)ensured["manifest"]!["sha256"]!;

        File.SetLastWriteTimeUtc(Path.Combine(folder, "model.onnx"), DateTime.UtcNow.AddMinutes(5));
        var (unload, _) = await Wire.PostAsync(Http, "acore/models/unload", new JsonObject { ["model"] = name }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);

        var (_, manifest) = await Blocs.GetAsync(Http, $"manifest?model={name}&sha256={sha}");
        Assert.True((bool)manifest["stale"]!);

        var (status, refused) = await Blocs.PostAsync(Http, "load", new JsonObject { ["model"] = name, ["sha256"] = sha, ["text"] = text });
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("kv_load", (string?)refused["operation"]);
        Assert.Contains("stale", (string?)refused["error"], StringComparison.Ordinal);

        var rebuilt = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = name, ["sha256"] = sha, ["text"] = text });
        Assert.True((bool)rebuilt["compiled"]!);
        Assert.True((bool)rebuilt["rebuilt"]!);
        Assert.NotEqual((string?)ensured["manifest"]!["model_fingerprint"], (string?)rebuilt["manifest"]!["model_fingerprint"]);
        Assert.NotEqual((string?)ensured["binding_id"], (string?)rebuilt["binding_id"]);

        var loaded = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = name, ["sha256"] = sha });
        Assert.False((bool)loaded["compiled"]!);

        // force_rebuild lets load take a stale artifact, recompiling it from the text.
        File.SetLastWriteTimeUtc(Path.Combine(folder, "model.onnx"), DateTime.UtcNow.AddMinutes(10));
        await Wire.PostAsync(Http, "acore/models/unload", new JsonObject { ["model"] = name }.ToJsonString());
        var forced = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = name, ["sha256"] = sha, ["text"] = text, ["force_rebuild"] = true });
        Assert.True((bool)forced["rebuilt"]!);
        var (response, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat(name, text, forced["prompt_cache_binding"]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TinyVocabulary.ChatAnswer, Blocs.Answer(chat!));
    }
}
