using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// <c>prompt_cache_binding</c> on chat completions (relayed and translated lanes) and the Responses API, streamed and
/// not (specification 9.4): normalised and forwarded with its key to the local runtime, which verifies it; its 409
/// reaches the client unchanged, before any event; a bad binding, or one for a provider that cannot verify it, is a 400
/// before anything is sent upstream.
/// </summary>
public sealed class PromptCacheBindingTests(InferenceGatewayFixture fx) : IClassFixture<InferenceGatewayFixture>
{
    public static TheoryData<ChatSurface, bool> Every => ChatSurfaces.Every;

    /// <summary>A body for <paramref name="surface"/>: the text agent format sends chat to the translating lane.</summary>
    private static string Body(ChatSurface surface, string model, bool stream, string fields)
    {
        var head = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},{{fields}}""";
        return surface switch
        {
            ChatSurface.ChatRelayed => head + ""","messages":[{"role":"user","content":"hi"}]}""",
            ChatSurface.ChatTranslated => head + ""","agent_format":"xml","messages":[{"role":"user","content":"hi"}]}""",
            _ => head + ""","input":"hi"}""",
        };
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task A_binding_id_string_reaches_onnx_as_an_object_with_the_prompt_cache_key(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        var body = Body(surface, "onnx/fake-model", stream, """ "prompt_cache_binding":"bind_0123","prompt_cache_key":"bloc:k1" """);

        var response = await SendOkAsync(http, surface, stream, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fx.Upstream.LastChatRequest.Json!;
        Assert.Equal("fake-model", (string?)sent["model"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"binding_id":"bind_0123","key":"bloc:k1"}"""), sent["prompt_cache_binding"]),
            sent["prompt_cache_binding"]?.ToJsonString());
        Assert.Equal("bloc:k1", (string?)sent["prompt_cache_key"]);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task The_bindings_key_becomes_the_prompt_cache_key(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        var body = Body(surface, "onnx/fake-model", stream,
            """ "prompt_cache_binding":{"binding_id":"bind_9","key":"bloc:k2","model":"fake-model","sha256":"ab"} """);

        var response = await SendOkAsync(http, surface, stream, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fx.Upstream.LastChatRequest.Json!;
        Assert.Equal("bloc:k2", (string?)sent["prompt_cache_key"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"binding_id":"bind_9","key":"bloc:k2","model":"fake-model","sha256":"ab"}"""),
            sent["prompt_cache_binding"]), sent["prompt_cache_binding"]?.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task The_runtimes_409_reaches_the_client_unchanged_before_any_event(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        foreach (var code in (string[])["prompt_cache_binding_missing", "prompt_cache_binding_mismatch"])
        {
            fx.Upstream.Enqueue(FakeReply.Error(409, "prompt-cache key 'bloc:k1' does not hold the bound artifact", code: code));
            var body = Body(surface, "onnx/fake-model", stream, """ "prompt_cache_binding":{"binding_id":"bind_1","key":"bloc:k1"} """);

            var (response, error) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), body);

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("application/json", Wire.ContentType(response)?.MediaType); // not an event stream
            Assert.Equal(code, (string?)error!["error"]!["code"]);
            Assert.Equal("invalid_request_error", (string?)error["error"]!["type"]);
            Assert.Contains("does not hold the bound artifact", (string?)error["error"]!["message"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task A_binding_that_is_not_an_object_or_a_string_is_refused_before_the_upstream(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        foreach (var value in (string[])["42", "[\"bind_1\"]", "true", """{"binding_id":"b","key":7}"""])
        {
            var before = fx.Upstream.Requests.Count;
            var (response, error) = await Wire.PostAsync(http, ChatSurfaces.Path(surface),
                Body(surface, "onnx/fake-model", stream, $"\"prompt_cache_binding\":{value}"));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("prompt_cache_binding_invalid", (string?)error!["error"]!["code"]);
            Assert.Equal("prompt_cache_binding must be an object or binding_id string.", (string?)error["error"]!["message"]);
            Assert.Equal(before, fx.Upstream.Requests.Count);
        }
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task A_binding_key_other_than_the_prompt_cache_key_is_refused(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var (response, error) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), Body(surface, "onnx/fake-model", stream,
            """ "prompt_cache_key":"a","prompt_cache_binding":{"binding_id":"bind_1","key":"b"} """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("prompt_cache_binding_key_mismatch", (string?)error!["error"]!["code"]);
        Assert.Equal("prompt_cache_key and prompt_cache_binding.key must match.", (string?)error["error"]!["message"]);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task A_provider_that_cannot_verify_a_binding_refuses_it_before_the_upstream(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var (response, error) = await Wire.PostAsync(http, ChatSurfaces.Path(surface),
            Body(surface, "openai-compatible/fake-model", stream, """ "prompt_cache_binding":"bind_1" """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("prompt_cache_binding_unsupported", (string?)error!["error"]!["code"]);
        Assert.Equal("prompt_cache_binding", (string?)error["error"]!["param"]);
        Assert.Contains("Provider 'openai-compatible' cannot honour prompt_cache_binding", (string?)error["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task Without_a_binding_the_prompt_cache_key_travels_as_sent_and_no_binding_is_added(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        var body = Body(surface, "openai-compatible/fake-model", stream, """ "prompt_cache_key":"k","prompt_cache_binding":null """);

        var response = await SendOkAsync(http, surface, stream, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fx.Upstream.LastChatRequest.Json!.AsObject();
        Assert.Equal("k", (string?)sent["prompt_cache_key"]);
        Assert.False(sent.ContainsKey("prompt_cache_binding"));
    }

    [Fact]
    public async Task A_responses_object_echoes_the_bindings_key()
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"onnx/fake-model","input":"hi","prompt_cache_binding":{"binding_id":"bind_1","key":"bloc:k3"}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bloc:k3", (string?)body!["prompt_cache_key"]);
    }

    private static async Task<HttpResponseMessage> SendOkAsync(HttpClient http, ChatSurface surface, bool stream, string body)
    {
        if (!stream)
        {
            return (await Wire.PostAsync(http, ChatSurfaces.Path(surface), body)).Response;
        }

        var (response, events) = await Wire.StreamAsync(http, ChatSurfaces.Path(surface), body);
        Assert.Contains(surface == ChatSurface.Responses ? "response.completed" : "[DONE]", events[^1], StringComparison.Ordinal);
        return response;
    }
}
