using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>Tool calls, plain and streamed (arguments arrive in fragments upstream), parallel, and the
/// multi-turn conversation that carries their results back.</summary>
public sealed class ToolCallTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static ChatCompletionOptions WithTools() => ChatTools.WithTools(ChatToolChoice.CreateAutoChoice());

    [Fact]
    public async Task A_tool_call_comes_back_with_its_id_name_and_exact_arguments()
    {
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_w1", "get_weather", """{"city":"Paris","unit":"C"}""")));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("Weather in Paris?")], WithTools());

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("call_w1", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris","unit":"C"}""", call.FunctionArguments.ToString());

        var sent = fx.Upstream.LastChatRequest.Json!;
        Assert.Equal("get_weather", (string?)sent["tools"]![0]!["function"]!["name"]);
        Assert.Equal("city", (string?)sent["tools"]![0]!["function"]!["parameters"]!["required"]![0]);
        Assert.Equal("auto", (string?)sent["tool_choice"]);
    }

    [Fact]
    public async Task A_pure_tool_call_turn_has_null_content_on_the_wire()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_time", "{}")));
        var (_, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"time?"}],"tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]}""");
        var message = body!["choices"]![0]!["message"]!.AsObject();
        Assert.True(message.ContainsKey("content"));
        Assert.Null(message["content"]);
        Assert.Equal("tool_calls", (string?)body["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Streamed_tool_call_arguments_sent_in_fragments_arrive_whole()
    {
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_s1", "get_weather", """{"city":"San Francisco, CA","days":3}""")));

        var calls = await CollectStreamedCalls(fx.Chat(), WithTools());

        var call = Assert.Single(calls);
        Assert.Equal("call_s1", call.Id);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("""{"city":"San Francisco, CA","days":3}""", Compact(call.Arguments));
    }

    [Fact]
    public async Task Parallel_tool_calls_keep_their_order_and_ids_plain_and_streamed()
    {
        FakeToolCall[] both =
        [
            new("call_p1", "get_weather", """{"city":"Oslo"}"""),
            new("call_p2", "get_time", """{"city":"Lima"}"""),
        ];

        fx.Upstream.Enqueue(FakeReply.ToolCalls(both));
        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("both")], WithTools());
        Assert.Equal(["call_p1", "call_p2"], completion.ToolCalls.Select(c => c.Id));
        Assert.Equal(["""{"city":"Oslo"}""", """{"city":"Lima"}"""], completion.ToolCalls.Select(c => c.FunctionArguments.ToString()));

        fx.Upstream.Enqueue(FakeReply.ToolCalls(both));
        var streamed = await CollectStreamedCalls(fx.Chat(), WithTools());
        Assert.Equal(["call_p1", "call_p2"], streamed.Select(c => c.Id));
        Assert.Equal(["get_weather", "get_time"], streamed.Select(c => c.Name));
        Assert.Equal(["""{"city":"Oslo"}""", """{"city":"Lima"}"""], streamed.Select(c => Compact(c.Arguments)));
    }

    [Fact]
    public async Task A_multi_turn_conversation_with_tool_results_reaches_the_upstream_intact()
    {
        fx.Upstream.Enqueue(FakeReply.Text("It is 18°C in Paris."));
        List<ChatMessage> history =
        [
            new UserChatMessage("Weather in Paris?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_m1", "get_weather", BinaryData.FromString("""{"city":"Paris"}"""))]),
            new ToolChatMessage("call_m1", """{"temp_c":18}"""),
        ];

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(history, WithTools());

        Assert.Equal("It is 18°C in Paris.", completion.Content[0].Text);
        var messages = fx.Upstream.LastChatRequest.Json!["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        var assistant = messages[1]!;
        Assert.Equal("assistant", (string?)assistant["role"]);
        Assert.Equal("call_m1", (string?)assistant["tool_calls"]![0]!["id"]);
        Assert.Equal("""{"city":"Paris"}""", (string?)assistant["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
        Assert.Equal("call_m1", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("""{"temp_c":18}""", (string?)messages[2]!["content"]);
    }

    [Fact]
    public async Task Assistant_tool_call_turn_with_null_content_is_accepted()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("done"));
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", """
            {"model":"openai-compatible/fake-model","messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c9","type":"function","function":{"name":"get_time","arguments":"{\"city\": \"Rome\"}"}}]},
              {"role":"tool","tool_call_id":"c9","content":[{"type":"text","text":"noon"}]}]}
            """);
        Assert.Equal(200, (int)response.StatusCode);
        var sent = fx.Upstream.LastChatRequest.Json!["messages"]!;
        Assert.Equal("{\"city\": \"Rome\"}", (string?)sent[1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("noon", (string?)sent[2]!["content"]);
    }

    private sealed record StreamedCall(string Id, string Name, string Arguments);

    private static async Task<List<StreamedCall>> CollectStreamedCalls(ChatClient chat, ChatCompletionOptions options)
    {
        var byIndex = new SortedDictionary<int, (string Id, string Name, System.Text.StringBuilder Args)>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("go")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (!byIndex.TryGetValue(part.Index, out var call))
                {
                    call = (part.ToolCallId, part.FunctionName, new System.Text.StringBuilder());
                    byIndex[part.Index] = call;
                }

                call.Args.Append(part.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        return [.. byIndex.Values.Select(c => new StreamedCall(c.Id, c.Name, c.Args.ToString()))];
    }

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
}
