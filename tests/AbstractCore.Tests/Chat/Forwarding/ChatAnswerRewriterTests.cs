using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Chat.Forwarding;

namespace AbstractCore.Tests.Chat.Forwarding;

/// <summary>The one-pass answer rewrite for completions and chunks.</summary>
public sealed class ChatAnswerRewriterTests
{
    [Fact]
    public void A_completion_gets_the_clients_model_and_reasoning_content_and_its_facts_are_read()
    {
        var rewriter = new ChatAnswerRewriter("openrouter/deepseek-r1", scanToolText: false);
        var body = Encoding.UTF8.GetBytes("""{"id":"gen-1","created":7,"model":"deepseek-r1","choices":[{"index":0,"message":{"role":"assistant","content":"4","reasoning":"2+2"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":2}},"system_fingerprint":"fp"}""");

        var answer = JsonNode.Parse(Written(body, rewriter))!;

        Assert.Equal("openrouter/deepseek-r1", (string?)answer["model"]);
        Assert.Equal("2+2", (string?)answer["choices"]![0]!["message"]!["reasoning_content"]);
        Assert.Null(answer["choices"]![0]!["message"]!["reasoning"]);
        Assert.Equal("fp", (string?)answer["system_fingerprint"]);
        Assert.Equal(("gen-1", "deepseek-r1", "stop", 5L, 3L, 2L),
            (rewriter.Facts.Id, rewriter.Facts.Model, rewriter.Facts.FinishReason, rewriter.Facts.InputTokens, rewriter.Facts.OutputTokens, rewriter.Facts.CachedInputTokens));
    }

    [Fact]
    public void Tool_calls_as_a_finish_reason_never_come_without_calls()
    {
        var rewriter = new ChatAnswerRewriter("a/b", scanToolText: false);
        var body = Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"no call"}}]}""");

        var answer = JsonNode.Parse(Written(body, rewriter))!;

        Assert.Equal("stop", (string?)answer["choices"]![0]!["finish_reason"]);
        Assert.Equal("a/b", (string?)answer["model"]); // added when the upstream named none
    }

    [Fact]
    public void Markup_written_by_a_model_becomes_a_structured_call_when_tools_were_offered()
    {
        var rewriter = new ChatAnswerRewriter("a/llama", scanToolText: true);
        var body = Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Sure.\n<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>"}}]}""");

        var message = JsonNode.Parse(Written(body, rewriter))!["choices"]![0]!;

        Assert.Equal("tool_calls", (string?)message["finish_reason"]);
        Assert.Equal("Sure.", (string?)message["message"]!["content"]);
        Assert.Equal("get_weather", (string?)message["message"]!["tool_calls"]![0]!["function"]!["name"]);
    }

    [Fact]
    public void A_usage_only_chunk_is_told_apart()
    {
        var rewriter = new ChatAnswerRewriter("a/b", scanToolText: false);
        rewriter.Rewrite("""{"id":"c","model":"b","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"""u8, chunk: true, out var kind);
        Assert.Equal(AnswerKind.UsageOnly, kind);
        Assert.Equal(2, rewriter.Facts.OutputTokens);
    }

    /// <summary>Most chunks need only the model swapped (<see cref="ChunkScreen"/>); the rest are read to their end.</summary>
    [Theory]
    [InlineData("""{"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage" : null}""",
                """{"id":"c","created":7,"model":"a/b","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage" : null}""")]
    [InlineData("""{"model":"m","id":"c","created":7,"choices":[{"index":0,"delta":{"content":"say \"reasoning\""},"finish_reason": null}]}""",
                """{"model":"a/b","id":"c","created":7,"choices":[{"index":0,"delta":{"content":"say \"reasoning\""},"finish_reason": null}]}""")]
    [InlineData("""{"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{"reasoning":"2+2"},"finish_reason":null}]}""",
                """{"id":"c","created":7,"model":"a/b","choices":[{"index":0,"delta":{"reasoning_content":"2+2"},"finish_reason":null}]}""")]
    [InlineData("""{"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{"re\u0061soning":"2+2"},"finish_reason":null}]}""",
                """{"id":"c","created":7,"model":"a/b","choices":[{"index":0,"delta":{"reasoning_content":"2+2"},"finish_reason":null}]}""")]
    [InlineData("""{"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}""",
                """{"id":"c","created":7,"model":"a/b","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""")]
    public void A_chunk_is_read_as_far_as_it_needs(string chunk, string expected)
    {
        var rewriter = new ChatAnswerRewriter("a/b", scanToolText: false);
        var json = Encoding.UTF8.GetBytes(chunk);

        var splices = rewriter.Rewrite(json, chunk: true, out var kind);

        Assert.Equal(expected, Encoding.UTF8.GetString(splices.Apply(json)));
        Assert.Equal((AnswerKind.Answer, "c", 7L, "m"), (kind, rewriter.Facts.Id, rewriter.Facts.Created, rewriter.Facts.Model));
    }

    [Fact]
    public void A_chunk_with_usage_or_an_error_is_read_to_its_end()
    {
        var rewriter = new ChatAnswerRewriter("a/b", scanToolText: false);
        rewriter.Rewrite("""{"id":"c","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"""u8, chunk: true, out var kind);
        Assert.Equal((AnswerKind.Answer, 2L), (kind, rewriter.Facts.OutputTokens));

        rewriter.Rewrite("""{"id":"c","created":7,"model":"m","error":{"message":"overloaded"}}"""u8, chunk: true, out kind);
        Assert.Equal(AnswerKind.Error, kind);
    }

    private static byte[] Written(byte[] body, ChatAnswerRewriter rewriter)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        CompletionAnswer.Write(body, rewriter, output);
        return output.WrittenSpan.ToArray();
    }
}
