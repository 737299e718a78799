using System.Text.Json.Nodes;
using AbstractCore.TestKit.FakeMedia;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 8: the Responses API, Anthropic's <c>/v1/messages</c> and embeddings take an alias and fall back as
/// chat completions do.</summary>
public sealed class AliasRoutesTests : AliasRulesTests
{
    [Fact]
    public async Task Responses_takes_an_alias_and_falls_back()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("responses from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, body) = await Wire.PostAsync(http, "/v1/responses", $$"""{"model":"{{Alias}}","input":"hi"}""");

        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        var text = string.Concat(body!["output"]!.AsArray().SelectMany(o => o?["content"]?.AsArray() ?? []).Select(c => (string?)c?["text"] ?? ""));
        Assert.Equal("responses from b", text);
        Assert.Equal(1, Chats(A));
        Assert.Equal(1, Chats(B));
    }

    [Fact]
    public async Task Messages_takes_an_alias_and_falls_back()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("messages from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, body) = await Wire.PostAsync(http, "/v1/messages",
            $$"""{"model":"{{Alias}}","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("message", (string?)body!["type"]);
        Assert.Equal("messages from b", (string?)body["content"]?[0]?["text"]);
        Assert.Equal(1, Chats(B));
    }

    [Fact]
    public async Task Embeddings_take_an_alias_and_fall_back()
    {
        await using var a = await FakeMediaUpstream.StartAsync();
        await using var b = await FakeMediaUpstream.StartAsync();
        a.FailNext(500, "The server had an error while processing your request.");
        Start([
            $$"""{"name": "a", "model": "openai-compatible/embed-a", "base_url": "{{a.BaseUrl}}"}""",
            $$"""{"name": "b", "model": "openai-compatible/embed-b", "base_url": "{{b.BaseUrl}}", "weight": 0}""",
        ]);
        using var http = Gateway.Http(Token);

        var (response, body) = await Wire.PostAsync(http, "/v1/embeddings", $$"""{"model":"{{Alias}}","input":["one","two"]}""");

        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal(2, body!["data"]!.AsArray().Count);
        Assert.Single(a.Requests, r => r.Path == "/v1/embeddings");
        var sent = b.Last("/embeddings");
        Assert.Equal("embed-b", (string?)JsonNode.Parse(sent.Body)?["model"]);
    }

    [Fact]
    public async Task Responses_streamed_takes_an_alias_and_falls_back()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("responses from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.NamedEventsAsync(http, "/v1/responses", $$"""{"model":"{{Alias}}","input":"hi","stream":true}""");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("responses from b", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.Contains(events, e => e.Event == "response.completed");
        Assert.DoesNotContain(events, e => e.Event is "response.failed" or "error");
    }

    [Fact]
    public async Task Messages_streamed_takes_an_alias_and_falls_back()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("messages from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.NamedEventsAsync(http, "/v1/messages",
            $$"""{"model":"{{Alias}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("messages from b", string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]?["text"])));
        Assert.Contains(events, e => e.Event == "message_stop");
        Assert.DoesNotContain(events, e => e.Event == "error");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Messages_falls_back_from_an_anthropic_deployment_to_an_openai_compatible_one(bool stream)
    {
        await using var anthropic = await FakeAnthropicUpstream.StartAsync();
        anthropic.Enqueue(AnthropicReply.Error(529, "overloaded_error", "Overloaded"));
        B.Enqueue(FakeReply.Text("messages from b"));
        Start(
            [
                $$"""{"name": "claude", "model": "anthropic/claude-test", "base_url": "{{anthropic.BaseUrl}}", "api_key_env": "ALIAS_RULES_ANTHROPIC_KEY"}""",
                Deployment("b", B.BaseUrl, "\"weight\": 0"),
            ],
            "", ("ALIAS_RULES_ANTHROPIC_KEY", "sk-ant-alias-rules"));
        using var http = Gateway.Http(Token);
        var request = $$"""{"model":"{{Alias}}","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""";

        var response = await http.PostAsync("/v1/messages", Wire.Json(request));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Single(anthropic.Requests, r => r.Path.EndsWith("/messages", StringComparison.Ordinal));
        var answer = stream
            ? string.Concat(Events(text).Select(e => JsonNode.Parse(e)!).Where(e => (string?)e["type"] == "content_block_delta").Select(e => (string?)e["delta"]?["text"]))
            : (string?)JsonNode.Parse(text)?["content"]?[0]?["text"];
        Assert.Equal("messages from b", answer);
        Assert.Equal(1, Chats(B));
    }
}
