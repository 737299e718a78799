using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Caching.CacheCalls;

namespace AbstractCore.Api.Tests.Caching;

/// <summary>The exact response cache on chat completions, with the in-process cache alone (no Redis).</summary>
public sealed class ResponseCacheTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string Cached = ""","temperature":0,"cache":{"ttl_s":60}""";

    [Fact]
    public async Task A_repeated_request_is_answered_from_the_cache_and_the_upstream_sees_one_call()
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), Cached);
        var calls = fx.Upstream.ChatRequestCount;

        var (first, firstBody) = await PostAsync(http, json);
        var (second, secondBody) = await PostAsync(http, json);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);
        Assert.Equal("miss", Cache(first));
        Assert.Equal("hit", Cache(second));
        Assert.Equal(firstBody, secondBody); // the same completion id: the upstream answered once
        Assert.Equal("application/json", Wire.ContentType(second)!.MediaType);
        Assert.Equal(calls + 1, fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task A_streamed_answer_is_replayed_frame_for_frame_and_is_not_the_plain_answers_entry()
    {
        using var http = fx.Http();
        var question = Unique();
        var streamed = ChatBody(question, Cached + ""","stream":true""");
        var calls = fx.Upstream.ChatRequestCount;

        var (first, firstBody) = await PostAsync(http, streamed);
        var (second, secondBody) = await PostAsync(http, streamed);

        Assert.Equal("miss", Cache(first));
        Assert.Equal("hit", Cache(second));
        Assert.Equal("text/event-stream", Wire.ContentType(second)!.MediaType);
        var frames = Frames(firstBody);
        Assert.True(frames.Length > 3, $"expected several chunks, got {frames.Length}");
        Assert.Equal("data: [DONE]", frames[^1]);
        Assert.Equal(frames, Frames(secondBody));
        Assert.Equal(calls + 1, fx.Upstream.ChatRequestCount);

        var (plain, _) = await PostAsync(http, ChatBody(question, Cached));
        Assert.Equal("miss", Cache(plain));
        Assert.Equal(calls + 2, fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task Cache_Control_max_age_opts_in_without_the_body_field()
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), ""","temperature":0""");

        var (first, _) = await PostAsync(http, json, "max-age=60");
        var (second, _) = await PostAsync(http, json, "max-age=60");
        var (without, _) = await PostAsync(http, json);

        Assert.Equal("miss", Cache(first));
        Assert.Equal("hit", Cache(second));
        Assert.Null(Cache(without)); // no opt-in: not a cacheable request
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("no-cache")]
    public async Task No_store_or_no_cache_bypasses_the_cache_entirely(string control)
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), Cached);
        await PostAsync(http, json); // stored
        var calls = fx.Upstream.ChatRequestCount;

        var (first, _) = await PostAsync(http, json, control);
        var (second, _) = await PostAsync(http, json, control);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Null(Cache(first));
        Assert.Null(Cache(second));
        Assert.Equal(calls + 2, fx.Upstream.ChatRequestCount);
    }

    [Theory]
    [InlineData(""","temperature":0.7""", false)]
    [InlineData("", false)] // the providers' default temperature, 1.0
    [InlineData(""","temperature":0.7,"seed":7""", true)]
    [InlineData(""","temperature":0.7,"cache":{"ttl_s":60,"force":true}""", true)]
    [InlineData(""","cache":{"force":true}""", true)]
    public async Task Sampling_without_a_seed_is_cached_only_when_forced(string fields, bool cached)
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), fields);
        var calls = fx.Upstream.ChatRequestCount;

        var (first, _) = await PostAsync(http, json, "max-age=60");
        var (second, _) = await PostAsync(http, json, "max-age=60");

        Assert.Equal(cached ? "miss" : null, Cache(first));
        Assert.Equal(cached ? "hit" : null, Cache(second));
        Assert.Equal(calls + (cached ? 1 : 2), fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task Member_order_and_number_spelling_do_not_change_the_key()
    {
        using var http = fx.Http();
        var question = Unique();
        var (first, firstBody) = await PostAsync(http, """
            {"model":"MODEL","temperature":0,"max_tokens":50,"top_p":1,
             "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"QUESTION"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object","properties":{"x":{"type":"string"}}}}},
             "cache":{"ttl_s":60}}
            """.Replace("MODEL", GatewayFixture.Model, StringComparison.Ordinal).Replace("QUESTION", question, StringComparison.Ordinal));
        var (second, secondBody) = await PostAsync(http, """
            {"cache":{"ttl_s":60},
             "response_format":{"json_schema":{"schema":{"properties":{"x":{"type":"string"}},"type":"object"},"name":"a"},"type":"json_schema"},
             "messages":[{"content":"Be brief.","role":"system"},{"content":"QUESTION","role":"user"}],
             "max_tokens":50,"temperature":0.0,"top_p":1.00,"model":"MODEL"}
            """.Replace("MODEL", GatewayFixture.Model, StringComparison.Ordinal).Replace("QUESTION", question, StringComparison.Ordinal));

        Assert.Equal("miss", Cache(first));
        Assert.Equal("hit", Cache(second));
        Assert.Equal(firstBody, secondBody);
    }

    [Theory]
    [InlineData(""","max_tokens":20""")]
    [InlineData(""","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]""")]
    [InlineData(""","stop":["END"]""")]
    public async Task A_different_message_or_field_misses(string field)
    {
        using var http = fx.Http();
        var question = Unique();
        await PostAsync(http, ChatBody(question, Cached));

        var (otherMessage, _) = await PostAsync(http, ChatBody(question + "?", Cached));
        var (otherField, _) = await PostAsync(http, ChatBody(question, Cached + field));

        Assert.Equal("miss", Cache(otherMessage));
        Assert.Equal("miss", Cache(otherField));
    }

    [Fact]
    public async Task An_error_is_not_cached()
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), Cached);
        var calls = fx.Upstream.ChatRequestCount;
        fx.Upstream.Enqueue(FakeReply.Error(400, "The fake refuses this one."));

        var (failed, _) = await PostAsync(http, json);
        var (answered, _) = await PostAsync(http, json);
        var (hit, _) = await PostAsync(http, json);

        Assert.Equal(400, (int)failed.StatusCode);
        Assert.Equal(200, (int)answered.StatusCode);
        Assert.Equal("miss", Cache(answered));
        Assert.Equal("hit", Cache(hit));
        Assert.Equal(calls + 2, fx.Upstream.ChatRequestCount);
    }

    [Fact]
    public async Task A_stream_that_carried_an_error_or_broke_is_not_cached()
    {
        using var http = fx.Http();
        var json = ChatBody(Unique(), Cached + ""","stream":true""");
        var calls = fx.Upstream.ChatRequestCount;
        fx.Upstream.Enqueue(
            FakeReply.Raw(200, "text/event-stream", "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n"),
            FakeReply.CutStream("one two three", chunksBeforeCut: 2));

        var (inBand, inBandBody) = await PostAsync(http, json);
        var (broken, brokenBody) = await PostAsync(http, json);
        var (answered, answeredBody) = await PostAsync(http, json);

        Assert.Contains("overloaded", inBandBody, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", brokenBody, StringComparison.Ordinal);
        Assert.Equal("miss", Cache(inBand));
        Assert.Equal("miss", Cache(broken));
        Assert.Equal("miss", Cache(answered));
        Assert.EndsWith("data: [DONE]\n\n", answeredBody, StringComparison.Ordinal);
        Assert.Equal(calls + 3, fx.Upstream.ChatRequestCount);
    }

    /// <summary>String content is relayed as bytes; content parts take the translating lane.</summary>
    [Theory]
    [InlineData("\"hello\"", false)]
    [InlineData("\"hello\"", true)]
    [InlineData("""[{"type":"text","text":"hello"}]""", false)]
    [InlineData("""[{"type":"text","text":"hello"}]""", true)]
    public async Task The_cache_field_never_reaches_the_upstream(string content, bool stream)
    {
        using var http = fx.Http();
        var json = $$"""
            {"model":"{{GatewayFixture.Model}}","stream":{{(stream ? "true" : "false")}},"temperature":0,"cache":{"ttl_s":60,"force":true},
             "messages":[{"role":"system","content":"{{Unique()}}"},{"role":"user","content":{{content}}}]}
            """;

        var (response, _) = await PostAsync(http, json);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("miss", Cache(response));
        var sent = fx.Upstream.LastChatRequest.Json!.AsObject();
        Assert.False(sent.ContainsKey("cache"), sent.ToJsonString());
    }

    [Fact]
    public async Task A_cache_field_of_the_wrong_shape_is_a_400_that_names_it()
    {
        using var http = fx.Http();
        foreach (var (field, param) in new[] { ("\"cache\":\"yes\"", "cache"), ("\"cache\":{\"ttl_s\":-1}", "cache.ttl_s"), ("\"cache\":{\"ttl\":60}", "cache.ttl") })
        {
            var (response, body) = await PostAsync(http, ChatBody(Unique(), "," + field));
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Equal(param, (string?)JsonNode.Parse(body)!["error"]!["param"]);
        }
    }

    [Fact]
    public async Task The_provider_route_is_keyed_by_the_model_as_routed()
    {
        using var http = fx.Http();
        var question = Unique();
        var (scoped, scopedBody) = await PostAsync(http,
            $$"""{"model":"fake-model","temperature":0,"cache":{"ttl_s":60},"messages":[{"role":"user","content":"{{question}}"}]}""",
            path: "/openai-compatible/v1/chat/completions");
        var (plain, plainBody) = await PostAsync(http, ChatBody(question, Cached));

        Assert.Equal("miss", Cache(scoped));
        Assert.Equal("hit", Cache(plain));
        Assert.Equal(scopedBody, plainBody);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/{provider}/v1/chat/completions")]
    [InlineData("/v1/embeddings")]
    public async Task The_OpenAPI_document_shows_the_cache_field(string path)
    {
        using var http = fx.Gateway.CreateClient();
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!;

        var schema = doc["paths"]![path]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        if ((string?)schema["$ref"] is { } reference)
        {
            schema = doc["components"]!["schemas"]![reference[(reference.LastIndexOf('/') + 1)..]]!;
        }

        var cache = schema["properties"]!["cache"]!;
        Assert.Contains("Cache-Control: no-store", (string?)cache["description"], StringComparison.Ordinal);
        Assert.NotNull(cache["properties"]!["ttl_s"]!["description"]);
        Assert.NotNull(cache["properties"]!["force"]!["description"]);
    }

    [Fact]
    public async Task A_request_that_does_not_opt_in_gets_no_cache_header()
    {
        using var http = fx.Http();
        var (response, _) = await PostAsync(http, ChatBody(Unique(), ""","temperature":0"""));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Null(Cache(response));
    }
}
