using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>Plain and streamed chat through the gateway with the official OpenAI .NET SDK as the client.</summary>
public sealed class ChatCompletionTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Plain_chat_returns_the_upstream_answer_in_the_openai_shape()
    {
        fx.Upstream.Enqueue(FakeReply.Text("Paris is the capital.", promptTokens: 12, completionTokens: 5));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Capital of France?")],
            new ChatCompletionOptions { Temperature = 0.2f, MaxOutputTokenCount = 50 });

        Assert.Equal("Paris is the capital.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(GatewayFixture.Model, completion.Model);
        Assert.Equal(12, completion.Usage.InputTokenCount);
        Assert.Equal(5, completion.Usage.OutputTokenCount);
        Assert.Equal(17, completion.Usage.TotalTokenCount);

        var sent = fx.Upstream.LastChatRequest.Json!;
        Assert.Equal("fake-model", (string?)sent["model"]);
        Assert.Equal("system", (string?)sent["messages"]![0]!["role"]);
        Assert.Equal("Capital of France?", (string?)sent["messages"]![1]!["content"]);
        Assert.Equal(0.2, (double)sent["temperature"]!, 3);
        Assert.Equal(50, (int)sent["max_completion_tokens"]!);
    }

    [Fact]
    public async Task Streamed_chat_with_usage_delivers_every_piece_then_usage()
    {
        fx.Upstream.Enqueue(FakeReply.Text("one two three four five", promptTokens: 9, completionTokens: 5));

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("count")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal("one two three four five", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(14, usage.TotalTokenCount);
        Assert.True(updates >= 4, $"expected the text in several chunks, got {updates} updates");
        Assert.True((bool)fx.Upstream.LastChatRequest.Json!["stream"]!);
    }

    [Fact]
    public async Task Stream_wire_format_is_exactly_openai_role_first_usage_only_when_asked_done_last()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("hello there world"));
        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal("text/event-stream", Wire.ContentType(response)!.MediaType);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.All(chunks, c => Assert.Equal(GatewayFixture.Model, (string?)c["model"]));
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        Assert.Equal("stop", (string?)chunks[^1]["choices"]![0]!["finish_reason"]);
        Assert.DoesNotContain(chunks, c => c["usage"] is not null);
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());

        fx.Upstream.Enqueue(FakeReply.Text("hello there world"));
        (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var last = JsonNode.Parse(events[^2])!;
        Assert.Empty(last["choices"]!.AsArray());
        Assert.Equal(18, (int)last["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task Reasoning_content_from_the_upstream_is_kept_plain_and_streamed()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("42", reasoning: "six times seven"));
        var (_, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"answer?"}]}""");
        Assert.Equal("six times seven", (string?)body!["choices"]![0]!["message"]!["reasoning_content"]);
        Assert.Equal("42", (string?)body["choices"]![0]!["message"]!["content"]);

        fx.Upstream.Enqueue(FakeReply.Text("42", reasoning: "six times seven"));
        var (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","stream":true,"messages":[{"role":"user","content":"answer?"}]}""");
        var reasoning = string.Concat(events[..^1].Select(e => (string?)JsonNode.Parse(e)!["choices"]!.AsArray().FirstOrDefault()?["delta"]?["reasoning_content"]));
        Assert.Equal("six times seven", reasoning);
    }

    [Fact]
    public async Task Unknown_fields_are_forwarded_and_gateway_extensions_are_not()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", """
            {"model":"openai-compatible/fake-model","messages":[{"role":"developer","content":"dev"},{"role":"user","content":[{"type":"text","text":"hi"}]}],
             "max_tokens":33,"stop":["END"],"seed":7,"presence_penalty":0.5,"frequency_penalty":0.25,"top_p":0.9,"user":"u1",
             "response_format":{"type":"json_object"},"logprobs":true,"top_logprobs":2,
             "repetition_penalty":1.1,"vendor_extra":{"a":[1,2]},"agent_format":"openai","thinking":"off","timeout_s":30}
            """);
        Assert.Equal(200, (int)response.StatusCode);

        var sent = fx.Upstream.LastChatRequest.Json!.AsObject();
        Assert.Equal(33, (int)sent["max_tokens"]!);
        Assert.False(sent.ContainsKey("max_completion_tokens"));
        Assert.Equal("END", (string?)sent["stop"]![0]);
        Assert.Equal(7, (int)sent["seed"]!);
        Assert.Equal(0.5, (double)sent["presence_penalty"]!);
        Assert.Equal(0.25, (double)sent["frequency_penalty"]!);
        Assert.Equal(0.9, (double)sent["top_p"]!);
        Assert.Equal("u1", (string?)sent["user"]);
        Assert.Equal("json_object", (string?)sent["response_format"]!["type"]);
        Assert.True((bool)sent["logprobs"]!);
        Assert.Equal(2, (int)sent["top_logprobs"]!);
        Assert.Equal(1.1, (double)sent["repetition_penalty"]!);
        Assert.Equal(2, (int)sent["vendor_extra"]!["a"]![1]!);
        Assert.Equal("developer", (string?)sent["messages"]![0]!["role"]);
        foreach (var own in new[] { "agent_format", "thinking", "timeout_s", "base_url" })
        {
            Assert.False(sent.ContainsKey(own), own);
        }
    }

    [Fact]
    public async Task Provider_route_takes_the_provider_from_the_path()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("scoped"));
        var (response, body) = await Wire.PostAsync(http, "/openai-compatible/v1/chat/completions",
            """{"model":"fake-model","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("openai-compatible/fake-model", (string?)body!["model"]);
        Assert.Equal("fake-model", (string?)fx.Upstream.LastChatRequest.Json!["model"]);
    }

    [Fact]
    public async Task Server_token_never_reaches_the_upstream_but_the_provider_key_does()
    {
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        await fx.Chat().CompleteChatAsync([new UserChatMessage("hi")]);
        var headers = fx.Upstream.LastChatRequest.Headers;
        Assert.Equal("Bearer upstream-key", headers["Authorization"]);
        Assert.DoesNotContain(headers.Values, v => v.Contains(GatewayFixture.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_header_key_overrides_the_server_key()
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.Add("X-AbstractCore-Provider-API-Key", "Bearer client-key");
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal("Bearer client-key", fx.Upstream.LastChatRequest.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_loopback_base_url_is_used_and_a_public_one_is_refused()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("via base_url"));
        var json = $$"""{"model":"vllm/fake-model","base_url":"{{fx.Upstream.BaseUrl}}","messages":[{"role":"user","content":"hi"}]}""";
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", json);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("via base_url", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.False(fx.Upstream.LastChatRequest.Headers.ContainsKey("Authorization"));

        (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"vllm/m","base_url":"http://93.184.215.14/v1","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(403, (int)response.StatusCode);
        Assert.Contains("ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST", (string?)body!["error"]!["message"]);
    }

    [Fact]
    public async Task Logprobs_come_back_when_asked_for()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Raw(200, "application/json", """
            {"id":"chatcmpl-lp","object":"chat.completion","created":1,"model":"fake-model",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop",
               "logprobs":{"content":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[]}],"refusal":null}}],
             "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
            """));
        var (_, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","logprobs":true,"messages":[{"role":"user","content":"hi"}]}""");
        var token = body!["choices"]![0]!["logprobs"]!["content"]![0]!;
        Assert.Equal("Hi", (string?)token["token"]);
        Assert.Equal(-0.25, (double)token["logprob"]!);
    }
}
