using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using OpenAI.Chat;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary>Through the Api with the official OpenAI SDK: <c>onnx/tiny</c> reaches Inference like any OpenAI-compatible upstream.</summary>
public sealed class GatewayChatTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private GatewayHost Gateway => fixture.Gateway;

    [Fact]
    public async Task The_SDK_gets_the_exact_answer()
    {
        ChatCompletion completion = await Gateway.Chat("onnx/tiny").CompleteChatAsync([new UserChatMessage("Hi")]);

        Assert.Equal(TinyVocabulary.ChatAnswer, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(5, completion.Usage.InputTokenCount);
        Assert.Equal(20, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task The_SDK_streams_the_answer_token_by_token()
    {
        var pieces = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in Gateway.Chat("onnx/tiny").CompleteChatStreamingAsync([new UserChatMessage("Hi")]))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            finish ??= update.FinishReason;
        }

        Assert.Equal(TinyVocabulary.ChatAnswer.Select(c => c.ToString()), pieces);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task Max_tokens_and_a_continued_turn_pass_through()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 7 };
        ChatCompletion completion = await Gateway.Chat("onnx/tiny").CompleteChatAsync(
            [new UserChatMessage("Count"), new AssistantChatMessage("3")], options);

        Assert.Equal("4567890", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public async Task Eight_concurrent_requests_each_get_their_own_text()
    {
        var starts = "abcdefgh".ToCharArray();
        var tasks = starts.Select(async (start, i) =>
        {
            var options = new ChatCompletionOptions { MaxOutputTokenCount = 40 + i };
            if (i % 2 == 0)
            {
                ChatCompletion c = await Gateway.Chat("onnx/tiny").CompleteChatAsync(
                    [new UserChatMessage("go"), new AssistantChatMessage(start.ToString())], options);
                return c.Content[0].Text;
            }

            var text = new System.Text.StringBuilder();
            await foreach (var update in Gateway.Chat("onnx/tiny").CompleteChatStreamingAsync(
                [new UserChatMessage("go"), new AssistantChatMessage(start.ToString())], options))
            {
                foreach (var part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }
            }

            return text.ToString();
        }).ToList();

        var texts = await Task.WhenAll(tasks);
        for (var i = 0; i < starts.Length; i++)
        {
            Assert.Equal(TinyVocabulary.Continue(starts[i], 40 + i), texts[i]);
        }
    }

    [Fact]
    public async Task An_unknown_local_model_is_a_404_through_theGateway()
    {
        var error = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(
            () => Gateway.Chat("onnx/missing").CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.Equal(404, error.Status);
    }
}
