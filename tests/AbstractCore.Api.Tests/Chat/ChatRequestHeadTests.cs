using System.Text;
using AbstractCore.Api.Chat.Relay;
using AbstractCore.Attachments;
using AbstractCore.Security;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// The one-pass head of a chat body: what it reads for the relay, and every body it leaves to the full binder (whose
/// 400s and translating path the HTTP tests cover: BadInputTests, AgentFormatTests, attachment tests).
/// </summary>
public sealed class ChatRequestHeadTests : IDisposable
{
    private const string User = """{"role":"user","content":"hi"}""";
    private readonly SafeFetcher _fetcher = new(new SafeFetcherOptions());

    public void Dispose() => _fetcher.Dispose();

    [Fact]
    public void Reads_the_fields_the_gateway_acts_on_and_skips_the_rest()
    {
        var request = Head($$$"""
            {"model":"openai-compatible/m","messages":[{{{User}}},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42"}],
             "stream":true,"stream_options":{"include_usage":true,"other":1},"temperature":0.5,"top_p":1,"max_tokens":7,"max_completion_tokens":8,
             "seed":12345678901,"user":"u","logprobs":false,"top_logprobs":3,"reasoning_effort":"low","thinking":{"type":"enabled"},
             "agent_format":"openai","unload_after":true,"base_url":"http://127.0.0.1:1/v1","timeout_s":30,"tool_choice":"auto",
             "response_format":{"type":"json_object"},"stop":["x"],"vendor_field":{"nested":[1,2]},"tools":[{"type":"function","function":{"name":"f"}}]}
            """, out var tools);

        Assert.NotNull(request);
        Assert.Equal("openai-compatible/m", request.Model);
        Assert.Null(request.Messages); // never copied: the bytes travel
        Assert.True(request.Stream);
        Assert.True(request.StreamOptions?.IncludeUsage);
        Assert.Equal(0.5, request.Temperature);
        Assert.Equal(1, request.TopP);
        Assert.Equal(7, request.MaxTokens);
        Assert.Equal(8, request.MaxCompletionTokens);
        Assert.Equal(12345678901, request.Seed);
        Assert.Equal("u", request.User);
        Assert.False(request.Logprobs);
        Assert.Equal(3, request.TopLogprobs);
        Assert.Equal("low", request.ReasoningEffort);
        Assert.Equal("enabled", request.Thinking?.GetProperty("type").GetString());
        Assert.Equal("openai", request.AgentFormat);
        Assert.True(request.UnloadAfter);
        Assert.Equal("http://127.0.0.1:1/v1", request.BaseUrl);
        Assert.Equal(30, request.Extra!["timeout_s"].GetDouble());
        Assert.True(tools);
    }

    [Fact]
    public void Reads_the_prompt_cache_fields_the_plan_checks_and_the_strings_unload_after_takes()
    {
        var request = Head($$"""
            {"model":"m","timeout_s":0,"prompt_cache_retention":"24h","prompt_cache_key":"k","unload_after":"false",
             "prompt_cache_binding":"bind_1","response_format":{"type":"xml"},"messages":[{{User}}]}
            """, out _);

        Assert.NotNull(request);
        Assert.Equal(["prompt_cache_binding", "prompt_cache_key", "timeout_s"], request.Extra!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("bind_1", request.Extra["prompt_cache_binding"].GetString());
        Assert.Equal("k", request.Extra["prompt_cache_key"].GetString());
        Assert.False(request.UnloadAfter);
        Assert.Equal("xml", request.ResponseFormat?.GetProperty("type").GetString()); // read to be checked, sent as written

        // Without them, nothing is read or kept.
        var bare = Head($$"""{"model":"m","messages":[{{User}}]}""", out _);
        Assert.Null(bare!.Extra);
        Assert.Null(bare.ResponseFormat);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[USER],"tools":[]}""", false)]
    [InlineData("""{"model":"m","messages":[USER],"tools":null}""", false)]
    [InlineData("""{"model":"m","messages":[USER],"tools":[{"type":"function"},{}]}""", true)]
    public void Tools_are_offered_by_a_non_empty_array(string body, bool offered)
    {
        Assert.NotNull(Head(body.Replace("USER", User), out var tools));
        Assert.Equal(offered, tools);
    }

    [Theory]
    // shapes the binder refuses with a 400 naming the field
    [InlineData("""[]""")]
    [InlineData("""{"model":"m"}""")]
    [InlineData("""{"model":"m","messages":null}""")]
    [InlineData("""{"model":"m","messages":[]}""")]
    [InlineData("""{"model":"m","messages":[null]}""")]
    [InlineData("""{"model":"m","messages":"hi"}""")]
    [InlineData("""{"model":42,"messages":[USER]}""")]
    [InlineData("""{"model":"m","stream":"yes","messages":[USER]}""")]
    [InlineData("""{"model":"m","unload_after":"maybe","messages":[USER]}""")]
    [InlineData("""{"model":"m","temperature":"hot","messages":[USER]}""")]
    [InlineData("""{"model":"m","max_tokens":1.5,"messages":[USER]}""")]
    [InlineData("""{"model":"m","max_tokens":99999999999,"messages":[USER]}""")]
    [InlineData("""{"model":"m","stream_options":true,"messages":[USER]}""")]
    [InlineData("""{"model":"m","stream_options":{"include_usage":1},"messages":[USER]}""")]
    [InlineData("""{"model":"m","api_key":"sk-leak","messages":[USER]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","name":7,"content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","index":"0","function":{"name":"f"}}]}]}""")]
    // requests the translating path changes or refuses
    [InlineData("""{"model":"m","messages":[{"role":"wizard","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","content":"x","reasoning_content":"thought"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"42"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","tool_call_id":"","content":"42"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f"}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":""}}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","content":"<tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>","tool_calls":[{"id":"c","function":{"name":"f"}}]}]}""")]
    public void Leaves_every_other_body_to_the_binder(string body)
    {
        Assert.Null(Head(body.Replace("USER", User), out _));
    }

    [Fact]
    public void A_file_reference_is_left_for_the_attachments_only_when_local_files_are_on()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"describe @photo.png please"}]}""";

        Assert.NotNull(Head(body, out _, localFiles: false));
        Assert.Null(Head(body, out _, localFiles: true));
        Assert.NotNull(Head(body.Replace("\"user\"", "\"assistant\""), out _, localFiles: true)); // only user, system, developer turns are resolved
    }

    private OpenAI.Chat.ChatCompletionRequest? Head(string body, out bool tools, bool localFiles = false) =>
        ChatRequestHead.TryRead(Encoding.UTF8.GetBytes(body), new MessageAttachments(_fetcher, new LocalFilePolicy(null, localFiles)), out tools);
}
