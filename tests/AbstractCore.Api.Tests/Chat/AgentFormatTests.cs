using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary><c>agent_format</c>: calls rendered as text for text-parsing agents; calls a model wrote as text
/// parsed into structured calls for OpenAI clients.</summary>
public sealed class AgentFormatTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";

    private const string LlamaBlock = "<function_call>\n{\n  \"name\": \"get_weather\",\n  \"arguments\": {\n    \"city\": \"Oslo\"\n  }\n}\n</function_call>";

    [Fact]
    public async Task Llama3_format_writes_the_call_into_content_and_keeps_it_structured_when_not_streamed()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")));
        var (_, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","agent_format":"llama3","tools":{{Tools}},"messages":[{"role":"user","content":"weather"}]}""");

        var message = body!["choices"]![0]!["message"]!;
        Assert.Equal(LlamaBlock, (string?)message["content"]);
        Assert.Equal("call_1", (string?)message["tool_calls"]![0]!["id"]);
        Assert.Equal("tool_calls", (string?)body["choices"]![0]!["finish_reason"]);
        Assert.False(fx.Upstream.LastChatRequest.Json!.AsObject().ContainsKey("agent_format"));
    }

    [Fact]
    public async Task Llama3_format_streams_the_call_as_content_text()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")));
        var (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","stream":true,"agent_format":"llama3","tools":{{Tools}},"messages":[{"role":"user","content":"weather"}]}""");

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!).ToList();
        Assert.Equal(LlamaBlock, string.Concat(chunks.Select(c => (string?)c["delta"]!["content"])));
        Assert.DoesNotContain(chunks, c => c["delta"]!["tool_calls"] is not null);
        Assert.Equal("tool_calls", (string?)chunks[^1]["finish_reason"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_call_the_model_wrote_as_text_reaches_an_openai_client_as_a_tool_call(bool stream)
    {
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "w") } };
        fx.Upstream.Enqueue(FakeReply.Text("Let me check. <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}</tool_call>"));

        string text;
        List<(string Name, string Args)> calls = [];
        ChatFinishReason? finish = null;
        if (stream)
        {
            var content = new System.Text.StringBuilder();
            var args = new Dictionary<int, (string Name, System.Text.StringBuilder Args)>();
            await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("weather")], options))
            {
                content.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
                foreach (var t in update.ToolCallUpdates)
                {
                    if (!args.TryGetValue(t.Index, out var a))
                    {
                        args[t.Index] = a = (t.FunctionName, new System.Text.StringBuilder());
                    }

                    a.Args.Append(t.FunctionArgumentsUpdate?.ToString());
                }

                finish = update.FinishReason ?? finish;
            }

            text = content.ToString();
            calls = [.. args.Values.Select(a => (a.Name, a.Args.ToString()))];
        }
        else
        {
            ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("weather")], options);
            text = string.Concat(completion.Content.Select(p => p.Text));
            calls = [.. completion.ToolCalls.Select(c => (c.FunctionName, c.FunctionArguments.ToString()))];
            finish = completion.FinishReason;
        }

        Assert.Equal("Let me check.", text.Trim());
        var call = Assert.Single(calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", (string?)JsonNode.Parse(call.Args)!["city"]);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }
}
