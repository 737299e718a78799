using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Blocs;

/// <summary>kv/ensure, kv/load, kv/manifest and kv/list against the real service and the tiny model.</summary>
public sealed class BlocKvArtifactTests : IAsyncLifetime
{
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Ensure_compiles_the_bloc_once_and_manifest_and_list_describe_the_artifact()
    {
        var text = Blocs.Text("ensure");
        var first = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = "onnx/tiny", ["sha256"] = "AB12" + new string('0', 60), ["bloc_id"] = 7, ["text"] = text });

        var sha = "ab12" + new string('0', 60); // trimmed and lower-cased
        Assert.True((bool)first["compiled"]!);
        Assert.False((bool)first["rebuilt"]!);
        Assert.False((bool)first["loaded"]!);
        var manifest = first["manifest"]!;
        Assert.Equal("token_ids", (string?)manifest["kv_format"]);
        Assert.Equal("tiny", (string?)manifest["model"]);
        Assert.Equal(sha, (string?)manifest["sha256"]);
        Assert.Equal(7, (int)manifest["bloc_id"]!);
        Assert.Equal(Blocs.Tokens(text), (int)manifest["token_count"]!);
        Assert.Equal(2, (int)manifest["shape"]!["layers"]!);
        Assert.Equal(TinyModelSpec.Tiny.KvHeads, (int)manifest["shape"]!["kv_heads"]!);
        Assert.Equal(TinyModelSpec.Tiny.HeadSize, (int)manifest["shape"]!["head_size"]!);
        Assert.Equal("float32", (string?)manifest["shape"]!["dtype"]);
        Assert.Equal(64, ((string)manifest["model_fingerprint"]!).Length);
        Assert.Equal(64, ((string)manifest["chat_template_sha256"]!).Length);
        Assert.Equal(64, ((string)manifest["tokenizer_sha256"]!).Length);
        var path = (string)first["artifact_path"]!;
        Assert.True(File.Exists(path));
        Assert.True(File.Exists((string)first["manifest_path"]!));
        Assert.Equal(new FileInfo(path).Length, (long)manifest["size_bytes"]!);
        Assert.StartsWith("bind_", (string)first["binding_id"]!);
        Assert.Equal($"bloc:{sha}", (string?)first["prompt_cache_binding"]!["key"]);

        var second = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = "tiny", ["sha256"] = sha, ["text"] = text });
        Assert.False((bool)second["compiled"]!);
        Assert.Equal((string?)first["binding_id"], (string?)second["binding_id"]);
        Assert.Equal((double)manifest["created_at"]!, (double)second["manifest"]!["created_at"]!);

        var (status, read) = await Blocs.GetAsync(Http, $"manifest?model=onnx/tiny&sha256={sha}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("kv_manifest", (string?)read["operation"]);
        Assert.False((bool)read["stale"]!);
        Assert.Equal(manifest.ToJsonString(), read["manifest"]!.ToJsonString());

        var (_, list) = await Blocs.GetAsync(Http, "list?model=tiny");
        Assert.Equal("kv_list", (string?)list["operation"]);
        var row = Assert.Single(list["artifacts"]!.AsArray())!;
        Assert.Equal(path, (string?)row["artifact_path"]);
        Assert.Empty(row["live_bindings"]!.AsArray());
        var (_, none) = await Blocs.GetAsync(Http, "list?model=tiny&sha256=" + new string('f', 64));
        Assert.Empty(none["artifacts"]!.AsArray());
    }

    [Fact]
    public async Task Without_text_a_missing_artifact_is_404_and_a_missing_manifest_too()
    {
        var sha = new string('e', 64);
        foreach (var route in (string[])["ensure", "load"])
        {
            var (status, body) = await Blocs.PostAsync(Http, route, new JsonObject { ["model"] = "tiny", ["sha256"] = sha });
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.False((bool)body["ok"]!);
            Assert.Equal("kv_" + route, (string?)body["operation"]);
            Assert.Contains("text", (string?)body["error"], StringComparison.Ordinal);
        }

        var (manifestStatus, manifest) = await Blocs.GetAsync(Http, $"manifest?model=tiny&sha256={sha}");
        Assert.Equal(HttpStatusCode.NotFound, manifestStatus);
        Assert.Equal("kv_manifest", (string?)manifest["operation"]);

        var (noModel, reply) = await Blocs.PostAsync(Http, "ensure", new JsonObject { ["sha256"] = sha, ["text"] = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, noModel);
        Assert.False((bool)reply["ok"]!);

        var (unknown, _) = await Blocs.PostAsync(Http, "ensure", new JsonObject { ["model"] = "no-such-model", ["text"] = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown);

        var (outside, _) = await Blocs.PostAsync(Http, "ensure", new JsonObject { ["model"] = "tiny", ["text"] = "x", ["artifact_path"] = "/tmp/elsewhere.kv" });
        Assert.Equal(HttpStatusCode.BadRequest, outside);
    }

    [Fact]
    public async Task Load_forks_the_stable_key_and_a_bound_chat_answers_reusing_the_blocs_tokens()
    {
        var text = Blocs.Text("load");
        var loaded = await Blocs.OkAsync(Http, "load", new JsonObject
        {
            ["model"] = "tiny", ["text"] = text, ["stable_cache_key"] = "stable:load", ["key"] = "work:load", ["debug"] = true,
        });

        Assert.True((bool)loaded["compiled"]!); // no artifact yet: compiled first, as ensure does
        Assert.True((bool)loaded["loaded"]!);
        Assert.True((bool)loaded["reloaded_stable_key"]!);
        Assert.Equal("work:load", (string?)loaded["key"]);
        Assert.Equal("stable:load", (string?)loaded["stable_cache_key"]);
        Assert.Equal("stable:load", (string?)loaded["forked_from"]);
        var binding = loaded["prompt_cache_binding"]!;
        Assert.Equal("work:load", (string?)binding["key"]);
        Assert.Equal((string?)loaded["binding_id"], (string?)binding["binding_id"]);
        Assert.Equal("tiny", (string?)binding["model"]);
        Assert.NotNull(loaded["debug"]);

        var (response, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, binding));
        Assert.True(response.StatusCode == HttpStatusCode.OK, chat?.ToJsonString());
        Assert.Equal(TinyVocabulary.ChatAnswer, Blocs.Answer(chat!));
        var blocTokens = Blocs.Tokens(text);
        Assert.Equal(blocTokens, (int)chat!["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);

        var stats = await Blocs.StatsAsync(Http, "tiny");
        Assert.Equal(1, (int)stats["hits"]!);
        Assert.Equal(0, (int)stats["misses"]!);
        Assert.Equal(blocTokens, (int)stats["reused_tokens"]!);
        var entries = stats["entries"]!.AsArray().ToDictionary(e => (string)e!["key"]!, e => e!);
        Assert.Equal((string?)binding["binding_id"], (string?)entries["stable:load"]["binding_id"]);
        Assert.Equal((string?)binding["binding_id"], (string?)entries["work:load"]["binding_id"]);
        Assert.Equal(blocTokens, (int)entries["stable:load"]["tokens"]!); // the stable copy is untouched by the chat

        // A second load finds the stable key still holding the artifact: nothing is recompiled or reloaded.
        var again = await Blocs.OkAsync(Http, "load", new JsonObject
        {
            ["model"] = "tiny", ["sha256"] = (string?)loaded["manifest"]!["sha256"], ["stable_cache_key"] = "stable:load", ["key"] = "work:load", ["make_default"] = true,
        });
        Assert.False((bool)again["compiled"]!);
        Assert.False((bool)again["reloaded_stable_key"]!);
        Assert.Equal("work:load", (string?)again["default_key"]);

        // Streamed: the same answer, and the bound key keeps answering.
        var (streamResponse, events) = await Wire.StreamAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, binding, "Again?", stream: true));
        Assert.Equal(HttpStatusCode.OK, streamResponse.StatusCode);
        var streamed = string.Concat(events.Where(e => e != "[DONE]")
            .Select(e => (string?)JsonNode.Parse(e)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]));
        Assert.Equal(TinyVocabulary.ChatAnswer, streamed);
        Assert.True((int)(await Blocs.StatsAsync(Http, "tiny"))["reused_tokens"]! >= 2 * blocTokens); // the bloc again (at least)
    }

    [Fact]
    public async Task Load_without_a_key_uses_the_stable_key_and_runtime_id_selects_the_model()
    {
        var (_, load) = await Wire.PostAsync(Http, "acore/models/load", """{"provider":"onnx","model":"tiny"}""");
        var runtimeId = (string)load!["runtime"]!["runtime_id"]!;
        var text = Blocs.Text("runtime");
        var loaded = await Blocs.OkAsync(Http, "load", new JsonObject { ["runtime_id"] = runtimeId, ["text"] = text });

        var stable = (string)loaded["stable_cache_key"]!;
        Assert.Equal(stable, (string?)loaded["key"]);
        Assert.Null(loaded["forked_from"]);
        var (response, chat) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, loaded["prompt_cache_binding"]));
        Assert.True(response.StatusCode == HttpStatusCode.OK, chat?.ToJsonString());
        Assert.Equal(Blocs.Tokens(text), (int)chat!["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
    }
}
