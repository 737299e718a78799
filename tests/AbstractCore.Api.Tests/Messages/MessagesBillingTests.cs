using System.Net;
using AbstractCore.Api.Tests.Providers;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// <c>/v1/messages</c> passed through to Anthropic is billed from Anthropic's own usage: a message's <c>usage</c>, a
/// stream's <c>message_start</c> and <c>message_delta</c> (cache reads counted within the input).
/// </summary>
public sealed class MessagesBillingTests(AnthropicFixture fx) : IClassFixture<AnthropicFixture>
{
    [Fact]
    public async Task A_passed_through_message_and_stream_are_billed_with_anthropics_usage()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(
            new AnthropicMessageReply([new AnthropicReplyBlock("text", "Hello.")], "end_turn") { InputTokens = 21, OutputTokens = 9, CacheReadInputTokens = 4 },
            new AnthropicMessageReply([new AnthropicReplyBlock("text", "Hello again.")], "end_turn") { InputTokens = 30, OutputTokens = 12 });

        using var plain = await http.PostAsync("/v1/messages", Wire.Json("""
            {"model":"anthropic/claude-test","max_tokens":32,"messages":[{"role":"user","content":"hi"}]}
            """));
        using var streamed = await http.PostAsync("/v1/messages", Wire.Json("""
            {"model":"anthropic/claude-test","max_tokens":32,"stream":true,"messages":[{"role":"user","content":"hi"}]}
            """));
        await streamed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("0", Wire.Header(plain, "X-AbstractCore-Cost")); // claude-test has no price
        var (_, spend) = await Wire.GetAsync(http, "/acore/spend?key_id=server&provider=anthropic&group_by=model");
        var row = Assert.Single(spend!["data"]!.AsArray())!;
        Assert.Equal(2, (int)row["requests"]!);
        Assert.Equal(21 + 4 + 30, (long)row["input_tokens"]!);
        Assert.Equal(4, (long)row["cached_input_tokens"]!);
        Assert.Equal(9 + 12, (long)row["output_tokens"]!);
        Assert.Equal(2, (int)row["unpriced_requests"]!);
        Assert.Equal(0, (int)row["estimated_requests"]!);
    }
}
