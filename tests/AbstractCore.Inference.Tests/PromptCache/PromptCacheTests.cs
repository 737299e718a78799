using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.PromptCache;

public sealed class PromptCacheTests : IAsyncLifetime
{
    private static readonly string LongSystem = "You answer questions about this document. " + string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 12));

    private readonly ManualTime _time = new();
    private InferenceHost _host = null!;

    private HttpClient Http => _host.Http;

    public async Task InitializeAsync() => _host = await InferenceHost.StartAsync(time: _time);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_second_request_sharing_a_long_prefix_reuses_its_kv_state()
    {
        var first = await ChatAsync("doc", ("system", LongSystem), ("user", "First question?"));
        var second = await ChatAsync("doc", ("system", LongSystem), ("user", "Second question?"));

        Assert.Equal(TinyVocabulary.ChatAnswer, Text(first));
        Assert.Equal(TinyVocabulary.ChatAnswer, Text(second));
        Assert.Equal(0, (int)first["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);

        // "<|system|>" + the system text + "<|end|><|user|>" is shared; the user texts part at their first byte.
        var shared = 1 + LongSystem.Length + 2;
        Assert.Equal(shared, (int)second["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);

        var stats = await StatsAsync();
        Assert.Equal(1, (int)stats["hits"]!);
        Assert.Equal(1, (int)stats["misses"]!);
        Assert.Equal(shared, (int)stats["reused_tokens"]!);
        var entry = Assert.Single(stats["entries"]!.AsArray())!;
        Assert.Equal("doc", (string?)entry["key"]);
    }

    [Fact]
    public async Task A_continued_conversation_reuses_the_whole_previous_turn()
    {
        await ChatAsync("chat", ("user", "Hi"));
        var next = await ChatAsync("chat", ("user", "Hi"), ("assistant", TinyVocabulary.ChatAnswer), ("user", "More"));

        // "<|user|>Hi<|end|><|assistant|>" + the answer: the answer's tokens were generated into the same Generator.
        Assert.Equal(5 + TinyVocabulary.ChatAnswer.Length, (int)next["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(TinyVocabulary.ChatAnswer, Text(next));
    }

    [Fact]
    public async Task Update_prefills_a_key_that_a_chat_then_reuses()
    {
        var (response, update) = await Wire.PostAsync(Http, "acore/prompt_cache/update", new JsonObject
        {
            ["model"] = "tiny", ["key"] = "sys", ["system_prompt"] = LongSystem,
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)update!["supported"]!);
        Assert.True((bool)update["ok"]!);
        Assert.Equal("update", (string?)update["operation"]);
        var prefilled = (int)update["tokens"]!;
        Assert.Equal(1 + LongSystem.Length + 1, prefilled);

        var chat = await ChatAsync("sys", ("system", LongSystem), ("user", "Q"));
        Assert.Equal(prefilled, (int)chat["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(TinyVocabulary.ChatAnswer, Text(chat));
    }

    [Fact]
    public async Task Fork_copies_a_keys_prefix_and_clear_removes_keys()
    {
        await Wire.PostAsync(Http, "acore/prompt_cache/update", new JsonObject { ["model"] = "tiny", ["key"] = "base", ["prompt"] = LongSystem }.ToJsonString());
        var (_, fork) = await Wire.PostAsync(Http, "acore/prompt_cache/fork", """{"model":"tiny","from_key":"base","to_key":"copy"}""");
        Assert.True((bool)fork!["ok"]!);
        Assert.Equal(LongSystem.Length, (int)fork["tokens"]!);

        var stats = await StatsAsync();
        Assert.Equal(["base", "copy"], stats["entries"]!.AsArray().Select(e => (string)e!["key"]!));

        var (_, missing) = await Wire.PostAsync(Http, "acore/prompt_cache/fork", """{"model":"tiny","from_key":"nope","to_key":"x"}""");
        Assert.False((bool)missing!["ok"]!);

        var (_, clear) = await Wire.PostAsync(Http, "acore/prompt_cache/clear", """{"model":"tiny","key":"base"}""");
        Assert.Equal(1, (int)clear!["cleared"]!);
        Assert.Equal(["copy"], (await StatsAsync())["entries"]!.AsArray().Select(e => (string)e!["key"]!));

        await Wire.PostAsync(Http, "acore/prompt_cache/clear", """{"model":"tiny"}""");
        Assert.Empty((await StatsAsync())["entries"]!.AsArray());
    }

    [Fact]
    public async Task A_key_unused_for_its_ttl_expires()
    {
        var (_, set) = await Wire.PostAsync(Http, "acore/prompt_cache/set", """{"model":"tiny","key":"short","ttl_s":60,"make_default":false}""");
        Assert.True((bool)set!["ok"]!);
        await ChatAsync("long-lived", ("user", "Hi"));

        _time.Advance(TimeSpan.FromSeconds(59));
        await ChatAsync("short", ("user", "Hi")); // a use renews the TTL
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, (await StatsAsync())["entries"]!.AsArray().Count);

        _time.Advance(TimeSpan.FromSeconds(2));
        var stats = await StatsAsync();
        Assert.Equal(["long-lived"], stats["entries"]!.AsArray().Select(e => (string)e!["key"]!));
        Assert.Equal(1, (int)stats["expirations"]!);
    }

    [Fact]
    public async Task Set_with_make_default_applies_the_key_to_requests_without_one()
    {
        await Wire.PostAsync(Http, "acore/prompt_cache/set", """{"model":"tiny","key":"house"}""");
        await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("system", LongSystem), ("user", "a")));
        var (_, second) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", ("system", LongSystem), ("user", "b")));

        Assert.True((int)second!["usage"]!["prompt_tokens_details"]!["cached_tokens"]! > LongSystem.Length);
        Assert.Equal("house", (string?)(await StatsAsync())["default_key"]);
    }

    [Fact]
    public async Task Control_plane_calls_without_a_model_are_unsupported_and_capabilities_describe_the_cache()
    {
        var (_, none) = await Wire.PostAsync(Http, "acore/prompt_cache/set", """{"key":"x"}""");
        Assert.False((bool)none!["supported"]!);

        var (_, capabilities) = await Wire.GetAsync(Http, "acore/prompt_cache/capabilities?model=tiny");
        Assert.True((bool)capabilities!["supported"]!);
        Assert.True((bool)capabilities["capabilities"]!["kv_prefix_reuse"]!);

        var (_, all) = await Wire.GetAsync(Http, "acore/prompt_cache/stats");
        Assert.True((bool)all!["ok"]!);
        Assert.Single(all["runtimes"]!.AsArray());
    }

    [Fact]
    public async Task Prepare_modules_prefills_one_key_per_module()
    {
        var (_, reply) = await Wire.PostAsync(Http, "acore/prompt_cache/prepare_modules", """
            {"model":"tiny","namespace":"tools","modules":[{"module_id":"search","system_prompt":"Search the web."},{"module_id":"math","prompt":"2+2"}]}
            """);

        Assert.True((bool)reply!["ok"]!);
        Assert.Equal(["tools:math", "tools:search"], (await StatsAsync())["entries"]!.AsArray().Select(e => (string)e!["key"]!));
    }

    private async Task<JsonNode> ChatAsync(string key, params (string Role, string Content)[] messages)
    {
        var (response, body) = await Wire.PostAsync(Http, "v1/chat/completions", Wire.Chat("tiny", new JsonObject { ["prompt_cache_key"] = key }, messages));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        return body!;
    }

    private async Task<JsonNode> StatsAsync()
    {
        var (_, body) = await Wire.GetAsync(Http, "acore/prompt_cache/stats?model=tiny");
        Assert.True((bool)body!["supported"]!);
        return body["stats"]!;
    }

    private static string? Text(JsonNode completion) => (string?)completion["choices"]![0]!["message"]!["content"];
}
