using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Providers;
using AbstractCore.TestKit.FakeOllama;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary><c>/v1/responses</c> through the Anthropic Messages backend.</summary>
public sealed class ResponsesAnthropicTests(AnthropicFixture fx) : IClassFixture<AnthropicFixture>
{
    private JsonNode Sent => fx.Upstream.LastMessagesRequest.Json!;

    [Fact]
    public async Task Instructions_and_input_reach_anthropic_in_its_shape_and_the_answer_is_a_response()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("Paris is the capital."));

        ResponseResult result = await ResponsesClients.For(fx.Gateway).CreateResponseAsync(new CreateResponseOptions
        {
            Model = AnthropicFixture.Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France?") },
            MaxOutputTokenCount = 40,
        });

        Assert.Equal("Paris is the capital.", result.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(30, result.Usage.TotalTokenCount);
        Assert.Equal("claude-test", (string?)Sent["model"]);
        Assert.Equal(40, (int)Sent["max_tokens"]!);
        Assert.Contains("Be brief.", Sent["system"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"Capital of France?"}]}]""", Sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task A_streamed_answer_is_told_as_response_events()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("one two three"));
        using var http = fx.Http();

        var (_, events) = await ResponsesClients.StreamAsync(http, """{"model":"anthropic/claude-test","input":"count","stream":true}""");

        Assert.Equal("response.created", events[0].Event);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal("one two three", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => (int)e.Data["sequence_number"]!));
    }
}

/// <summary><c>/v1/responses</c> through Ollama's native backend.</summary>
public sealed class ResponsesOllamaTests(OllamaFixture fx) : IClassFixture<OllamaFixture>
{
    private JsonNode Sent => fx.Ollama.LastChatRequest.Json!;

    [Fact]
    public async Task A_string_input_reaches_ollama_and_the_answer_is_a_response()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("Paris is the capital.", promptEvalCount: 12, evalCount: 5));

        ResponseResult result = await ResponsesClients.For(fx.Gateway).CreateResponseAsync(OllamaFixture.Model, "Capital of France?");

        Assert.Equal("Paris is the capital.", result.GetOutputText());
        Assert.Equal(12, result.Usage.InputTokenCount);
        Assert.Equal(5, result.Usage.OutputTokenCount);
        Assert.Equal("llama3.2", (string?)Sent["model"]);
        Assert.Equal("Capital of France?", (string?)Sent["messages"]![0]!["content"]);
    }

    [Fact]
    public async Task A_streamed_answer_with_thinking_is_told_as_reasoning_and_text_events()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("42", thinking: "Let me think."));
        using var http = fx.Http();

        var (_, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"ollama/llama3.2","input":"answer?","stream":true,"reasoning":{"effort":"high"}}""");

        Assert.Equal("response.completed", events[^1].Event);
        Assert.Contains(events, e => e.Event == "response.reasoning_summary_text.delta");
        Assert.Equal("42", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.True(Sent["think"] is not null, "reasoning.effort reaches Ollama's think control");
    }
}
