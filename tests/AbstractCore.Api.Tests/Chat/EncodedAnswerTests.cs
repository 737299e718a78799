using System.ClientModel;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>The relay asks for no content encoding, yet an upstream that gzips its answer anyway still reaches the
/// client as the answer it meant: whole, streamed, and as an error.</summary>
public sealed class EncodedAnswerTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_gzipped_completion_is_relayed_decoded()
    {
        fx.Upstream.Enqueue(FakeReply.Gzipped(FakeReply.Text("Paris is the capital.", promptTokens: 12, completionTokens: 5)));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("Capital of France?")]);

        Assert.Equal("Paris is the capital.", completion.Content[0].Text);
        Assert.Equal(GatewayFixture.Model, completion.Model);
        Assert.Equal(17, completion.Usage.TotalTokenCount);
        Assert.False(fx.Upstream.LastChatRequest.Headers.ContainsKey("Accept-Encoding"), "the relay asks for the answer as it is");
    }

    [Fact]
    public async Task A_gzipped_stream_is_relayed_decoded()
    {
        fx.Upstream.Enqueue(FakeReply.Gzipped(FakeReply.Text("one two three", promptTokens: 3, completionTokens: 3)));

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("count")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            Assert.Equal(GatewayFixture.Model, update.Model);
        }

        Assert.Equal("one two three", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task A_gzipped_error_keeps_its_message()
    {
        fx.Upstream.Enqueue(FakeReply.Gzipped(FakeReply.Error(400, "upstream says no", code: "upstream_code")));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => fx.Chat().CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        Assert.Equal("Provider 'openai-compatible' answered HTTP 400: upstream says no", (string?)body["error"]!["message"]);
        Assert.Equal("upstream_code", (string?)body["error"]!["code"]);
    }
}
