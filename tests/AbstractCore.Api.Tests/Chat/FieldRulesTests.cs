using System.Net;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// Request fields whose rules follow the specification (issue 17, point 6), on chat completions (relayed and translated
/// lanes) and the Responses API: <c>unload_after</c> strings, <c>timeout_s</c> ≤ 0, an unknown <c>agent_format</c>,
/// and <c>response_format</c> checked for OpenAI-compatible providers too.
/// </summary>
public sealed class FieldRulesTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    public static TheoryData<ChatSurface, bool> Every => ChatSurfaces.Every;

    /// <summary>A body for <paramref name="surface"/>; the translated lane is reached by content parts, which a relay never takes.</summary>
    private static string Body(ChatSurface surface, bool stream, string fields)
    {
        var head = $$"""{"model":"{{GatewayFixture.Model}}","stream":{{(stream ? "true" : "false")}}{{(fields.Length > 0 ? "," + fields : "")}}""";
        return surface switch
        {
            ChatSurface.ChatRelayed => head + ""","messages":[{"role":"user","content":"hi"}]}""",
            ChatSurface.ChatTranslated => head + ""","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""",
            _ => head + ""","input":"hi"}""",
        };
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, ChatSurface surface, bool stream, string body)
    {
        if (!stream)
        {
            var (response, _) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), body);
            return response;
        }

        var (streamed, events) = await Wire.StreamAsync(http, ChatSurfaces.Path(surface), body);
        Assert.Contains(surface == ChatSurface.Responses ? "response.completed" : "[DONE]", events[^1], StringComparison.Ordinal);
        return streamed;
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task Unload_after_takes_the_strings_true_and_false(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();

        // "true" is unload_after: true (which a remote provider answers with its warning); "false" is false.
        var on = await SendAsync(http, surface, stream, Body(surface, stream, "\"unload_after\":\"true\""));
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        Assert.Contains("unload_after has no effect for provider 'openai-compatible'", Wire.Header(on, "X-AbstractCore-Warning"), StringComparison.Ordinal);

        var off = await SendAsync(http, surface, stream, Body(surface, stream, "\"unload_after\":\"false\""));
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Null(Wire.Header(off, "X-AbstractCore-Warning"));
        Assert.False(fx.Upstream.LastChatRequest.Json!.AsObject().ContainsKey("unload_after"));
    }

    [Theory]
    [InlineData(ChatSurface.ChatRelayed)]
    [InlineData(ChatSurface.ChatTranslated)]
    [InlineData(ChatSurface.Responses)]
    public async Task Unload_after_that_is_not_a_boolean_is_a_400(ChatSurface surface)
    {
        using var http = fx.Http();
        var (response, body) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), Body(surface, false, "\"unload_after\":\"maybe\""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unload_after", (string?)body!["error"]!["param"]);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task Timeout_s_of_zero_or_less_means_no_deadline(ChatSurface surface, bool stream)
    {
        // The server's own deadline is 1 s; the upstream answers after 1.5 s.
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = fx.Upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_UPSTREAM_TIMEOUT_S"] = "1",
        });
        using var http = gateway.Http(GatewayFixture.Token);

        foreach (var timeout in (string[])["0", "-1"])
        {
            fx.Upstream.Enqueue(FakeReply.Delayed(TimeSpan.FromSeconds(1.5), FakeReply.Text("late but awaited")));
            var response = await SendAsync(http, surface, stream, Body(surface, stream, $"\"timeout_s\":{timeout}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(fx.Upstream.LastChatRequest.Json!.AsObject().ContainsKey("timeout_s"));
        }

        // Without it, the server's deadline holds.
        fx.Upstream.Enqueue(FakeReply.Delayed(TimeSpan.FromSeconds(1.5), FakeReply.Text("too late")));
        var (cut, _) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), Body(surface, false, ""));
        Assert.Equal(HttpStatusCode.GatewayTimeout, cut.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Every))]
    public async Task An_unknown_agent_format_falls_back_to_auto_detection_with_a_warning(ChatSurface surface, bool stream)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("fine"));

        var response = await SendAsync(http, surface, stream, Body(surface, stream, "\"agent_format\":\"klingon\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("agent_format 'klingon' is not one of auto, openai, codex, qwen3, llama3, gemma, xml, passthrough; auto-detection used",
            Wire.Header(response, "X-AbstractCore-Warning"));
        Assert.False(fx.Upstream.LastChatRequest.Json!.AsObject().ContainsKey("agent_format"));
    }

    public static TheoryData<ChatSurface, bool, string, string> BadFormats => new()
    {
        { ChatSurface.ChatRelayed, false, "\"response_format\":{\"type\":\"xml\"}", "invalid_response_format" },
        { ChatSurface.ChatRelayed, true, "\"response_format\":{\"type\":\"xml\"}", "invalid_response_format" },
        { ChatSurface.ChatTranslated, false, "\"response_format\":{\"type\":\"xml\"}", "invalid_response_format" },
        { ChatSurface.ChatRelayed, false, "\"response_format\":\"json\"", "invalid_response_format" },
        { ChatSurface.ChatRelayed, false, "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}", "invalid_response_format" },
        { ChatSurface.Responses, false, "\"text\":{\"format\":{\"type\":\"xml\"}}", "invalid_response_format" },
        { ChatSurface.ChatRelayed, false, $"\"response_format\":{{\"type\":\"json_object\"}},\"tools\":{Tool}", "unsupported_parameter" },
        { ChatSurface.ChatRelayed, true, $"\"response_format\":{{\"type\":\"json_object\"}},\"tools\":{Tool}", "unsupported_parameter" },
        { ChatSurface.ChatTranslated, false, $"\"response_format\":{{\"type\":\"json_object\"}},\"tools\":{Tool}", "unsupported_parameter" },
        { ChatSurface.Responses, true, $"\"text\":{{\"format\":{{\"type\":\"json_object\"}}}},\"tools\":[{{\"type\":\"function\",\"name\":\"f\"}}]", "unsupported_parameter" },
    };

    private const string Tool = """[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]""";

    [Theory]
    [MemberData(nameof(BadFormats))]
    public async Task Response_format_is_checked_for_OpenAI_compatible_providers_too(ChatSurface surface, bool stream, string fields, string code)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;

        var (response, body) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), Body(surface, stream, fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (string?)body!["error"]!["code"]);
        Assert.Equal("invalid_request_error", (string?)body["error"]!["type"]);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Theory]
    [InlineData(ChatSurface.ChatRelayed)]
    [InlineData(ChatSurface.ChatTranslated)]
    public async Task A_text_response_format_may_go_with_tools(ChatSurface surface)
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, ChatSurfaces.Path(surface), Body(surface, false, $"\"response_format\":{{\"type\":\"text\"}},\"tools\":{Tool}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text", (string?)fx.Upstream.LastChatRequest.Json!["response_format"]!["type"]);
    }
}
