using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Blocs;

/// <summary>An artifact outlives its Inference process: a new host on the same artifact folder loads it without compiling.</summary>
public sealed class BlocKvRestartTests : IDisposable
{
    private readonly string _artifacts = Path.Combine(TestModels.Directory, ".blocs-restart-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_artifacts))
        {
            Directory.Delete(_artifacts, recursive: true);
        }
    }

    [Fact]
    public async Task A_new_host_loads_the_persisted_artifact_without_compiling_and_answers_the_same()
    {
        var settings = new Dictionary<string, string?> { [InferenceSettings.BlocArtifactsDirVariable] = _artifacts };
        var text = Blocs.Text("restart");
        JsonNode before;
        JsonNode firstLoad;
        await using (var first = await InferenceHost.StartAsync(settings))
        {
            firstLoad = await Blocs.OkAsync(first.Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = text, ["key"] = "restart:work" });
            Assert.True((bool)firstLoad["compiled"]!);
            var (_, chat) = await Wire.PostAsync(first.Http, "v1/chat/completions", Blocs.Chat("tiny", text, firstLoad["prompt_cache_binding"]));
            before = chat!;
        }

        await using var second = await InferenceHost.StartAsync(settings);
        var sha = (string)firstLoad["manifest"]!["sha256"]!;

        // The key died with the first process: its binding is missing until the artifact is loaded again.
        var (stale, staleBody) = await Wire.PostAsync(second.Http, "v1/chat/completions", Blocs.Chat("tiny", text, firstLoad["prompt_cache_binding"]));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("prompt_cache_binding_missing", (string?)staleBody!["error"]!["code"]);

        var loaded = await Blocs.OkAsync(second.Http, "load", new JsonObject { ["model"] = "tiny", ["sha256"] = sha, ["key"] = "restart:work" }); // no text
        Assert.False((bool)loaded["compiled"]!);
        Assert.Equal("token_ids", (string?)loaded["manifest"]!["kv_format"]);
        Assert.Equal(firstLoad["manifest"]!.ToJsonString(), loaded["manifest"]!.ToJsonString());
        Assert.Equal((string?)firstLoad["binding_id"], (string?)loaded["binding_id"]); // same artifact, same runtime id

        var (response, after) = await Wire.PostAsync(second.Http, "v1/chat/completions", Blocs.Chat("tiny", text, loaded["prompt_cache_binding"]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TinyVocabulary.ChatAnswer, Blocs.Answer(after!));
        Assert.Equal(Blocs.Answer(before), Blocs.Answer(after!));
        Assert.Equal(Blocs.Tokens(text), (int)after!["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
    }
}
