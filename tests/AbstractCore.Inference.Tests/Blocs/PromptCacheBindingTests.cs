using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Blocs;

/// <summary>prompt_cache_binding on chat: checked before any token, and before a stream's headers.</summary>
public sealed class PromptCacheBindingTests : IAsyncLifetime
{
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_binding_whose_key_is_not_live_is_409_missing_before_any_token_streamed_or_not()
    {
        var text = Blocs.Text("missing");
        var ensured = await Blocs.OkAsync(Http, "ensure", new JsonObject { ["model"] = "tiny", ["text"] = text });
        var binding = new JsonObject { ["key"] = "never-loaded", ["binding_id"] = (string?)ensured["binding_id"] };

        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, binding));
        AssertConflict(response, body, "prompt_cache_binding_missing");

        var (streamed, events) = await Wire.StreamAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", text, binding, stream: true));
        Assert.Equal(HttpStatusCode.Conflict, streamed.StatusCode);
        Assert.Equal("application/json", Wire.ContentType(streamed)?.MediaType);
        Assert.Empty(events);

        // A bare binding_id string takes the key from prompt_cache_key.
        var bare = Wire.Chat("tiny", new JsonObject { ["prompt_cache_key"] = "nope", ["prompt_cache_binding"] = (string?)ensured["binding_id"] }, ("user", "Hi"));
        var (bareResponse, bareBody) = await Wire.PostAsync(Http, "v1/chat/completions", bare);
        AssertConflict(bareResponse, bareBody, "prompt_cache_binding_missing");

        var stats = await Blocs.StatsAsync(Http, "tiny");
        Assert.Equal(0, (int)stats["hits"]! + (int)stats["misses"]!); // nothing was generated
    }

    [Fact]
    public async Task A_key_holding_another_artifact_or_none_is_409_mismatch()
    {
        var first = Blocs.Text("first");
        var second = Blocs.Text("second");
        var loadedFirst = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = first, ["key"] = "k:first" });
        var loadedSecond = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = "tiny", ["text"] = second, ["key"] = "k:second" });
        Assert.NotEqual((string?)loadedFirst["binding_id"], (string?)loadedSecond["binding_id"]);

        var wrong = new JsonObject { ["key"] = "k:first", ["binding_id"] = (string?)loadedSecond["binding_id"] };
        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", first, wrong));
        AssertConflict(response, body, "prompt_cache_binding_mismatch");

        // A plain prompt-cache key holds no artifact.
        await Wire.PostAsync(Http, "acore/prompt_cache/update", """{"model":"tiny","key":"plain","prompt":"hello"}""");
        var plain = new JsonObject { ["key"] = "plain", ["binding_id"] = (string?)loadedFirst["binding_id"] };
        var (plainResponse, plainBody) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", first, plain));
        AssertConflict(plainResponse, plainBody, "prompt_cache_binding_mismatch");

        // A chat on the key whose prompt leaves the bloc early rewinds past it: the key no longer holds the artifact.
        var right = loadedFirst["prompt_cache_binding"]!;
        var (ok, _) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", first, right));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", new JsonObject { ["prompt_cache_key"] = "k:first" }, ("user", "Other")));
        var (after, afterBody) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat("tiny", first, right));
        AssertConflict(after, afterBody, "prompt_cache_binding_mismatch");
    }

    [Fact]
    public async Task A_binding_issued_by_another_runtime_is_409_mismatch()
    {
        var text = Blocs.Text("runtimes");
        var onLong = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = TestModels.Long, ["text"] = text, ["key"] = "shared" });
        var onTiny = await Blocs.OkAsync(Http, "load", new JsonObject { ["model"] = TestModels.Tiny, ["text"] = text, ["key"] = "shared" });
        Assert.NotEqual((string?)onLong["binding_id"], (string?)onTiny["binding_id"]);

        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat(TestModels.Tiny, text, onLong["prompt_cache_binding"]));
        AssertConflict(response, body, "prompt_cache_binding_mismatch");

        var (own, ownBody) = await Wire.PostAsync(Http, "v1/chat/completions", Blocs.Chat(TestModels.Tiny, text, onTiny["prompt_cache_binding"]));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(TinyVocabulary.ChatAnswer, Blocs.Answer(ownBody!));
    }

    [Fact]
    public async Task A_malformed_binding_is_400()
    {
        var (number, numberBody) = await Wire.PostAsync(Http, "v1/chat/completions",
            Wire.Chat("tiny", new JsonObject { ["prompt_cache_binding"] = 42 }, ("user", "Hi")));
        Assert.Equal(HttpStatusCode.BadRequest, number.StatusCode);
        Assert.Equal("prompt_cache_binding_invalid", (string?)numberBody!["error"]!["code"]);

        var (mismatch, mismatchBody) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", new JsonObject
        {
            ["prompt_cache_key"] = "a", ["prompt_cache_binding"] = new JsonObject { ["key"] = "b", ["binding_id"] = "bind_x" },
        }, ("user", "Hi")));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal("prompt_cache_binding_key_mismatch", (string?)mismatchBody!["error"]!["code"]);
    }

    private static void AssertConflict(HttpResponseMessage response, JsonNode? body, string code)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(code, (string?)body!["error"]!["code"]);
        Assert.Equal("invalid_request_error", (string?)body["error"]!["type"]);
        Assert.Equal("prompt_cache_binding", (string?)body["error"]!["param"]);
    }
}
