using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary><c>agent_format</c>: structured calls for every client unless a text syntax is asked for (then rendered
/// into the content on top of them); calls a model wrote as text parsed into structured calls.</summary>
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

    // Was "streams the call as content text" with no tool_calls deltas: a streamed text format now comes on top of the
    // structured calls (issue 14), so an agent reading tool_calls can still call the tool.
    [Fact]
    public async Task Llama3_format_streams_the_call_as_content_text_and_as_a_structured_call()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")));
        var (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","stream":true,"agent_format":"llama3","tools":{{Tools}},"messages":[{"role":"user","content":"weather"}]}""");

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!).ToList();
        Assert.Equal(LlamaBlock, string.Concat(chunks.Select(c => (string?)c["delta"]!["content"])));
        // The structured call streams as its fragments arrive (issue 15): its id first, then the arguments in pieces.
        var deltas = chunks.Where(c => c["delta"]!["tool_calls"] is not null).Select(c => c["delta"]!["tool_calls"]![0]!).ToList();
        Assert.Equal("call_1", (string?)deltas[0]["id"]);
        Assert.Equal("""{"city":"Oslo"}""", string.Concat(deltas.Select(d => (string?)d["function"]!["arguments"])));
        Assert.Equal("tool_calls", (string?)chunks[^1]["finish_reason"]);
    }

    /// <summary>Issue 14: without <c>agent_format</c>, a claude, llama or qwen model's calls reach a client that is not
    /// OpenAI's SDK (here with the AI SDK's user agent) structured, with no markup in the content.</summary>
    [Theory]
    [InlineData("openai-compatible/claude-test", false)]
    [InlineData("openai-compatible/claude-test", true)]
    [InlineData("openai-compatible/llama3.2", true)]
    [InlineData("openai-compatible/qwen2.5-7b", false)]
    public async Task Without_agent_format_any_client_gets_structured_calls_and_clean_content(string model, bool stream)
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "ai-sdk/openai-compatible/2.0.92");
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}""")));
        var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"tools":{{Tools}},"messages":[{"role":"user","content":"weather"}]}""";

        string? content;
        JsonNode? call;
        string? finish;
        if (stream)
        {
            var (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions", body);
            var chunks = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!).ToList();
            content = string.Concat(chunks.Select(c => (string?)c["delta"]!["content"]));
            // Argument fragments arrive as the upstream sends them (issue 15): the call is the first delta, arguments appended.
            var deltas = chunks.Where(c => c["delta"]!["tool_calls"] is not null).Select(c => c["delta"]!["tool_calls"]![0]!).ToList();
            call = deltas[0].DeepClone();
            call["function"]!["arguments"] = string.Concat(deltas.Select(d => (string?)d["function"]!["arguments"]));
            Assert.All(deltas, d => Assert.Equal(0, (int)d["index"]!));
            finish = (string?)chunks[^1]["finish_reason"];
        }
        else
        {
            var (_, answer) = await Wire.PostAsync(http, "/v1/chat/completions", body);
            var choice = answer!["choices"]![0]!;
            content = (string?)choice["message"]!["content"];
            call = Assert.Single(choice["message"]!["tool_calls"]!.AsArray());
            finish = (string?)choice["finish_reason"];
        }

        Assert.True(string.IsNullOrEmpty(content), $"content should be empty, was: {content}");
        Assert.Equal("get_weather", (string?)call!["function"]!["name"]);
        Assert.Equal("tool_calls", finish);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Responses_without_agent_format_give_a_function_call_item_and_no_markup(bool stream)
    {
        using var http = fx.Http();
        http.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "langchainjs-openai/1.2.9");
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_r1", "get_weather", """{"city":"Oslo"}""")));
        const string responsesTools = """[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]""";
        var body = $$"""{"model":"openai-compatible/claude-test","input":"weather?","tools":{{responsesTools}},"stream":{{(stream ? "true" : "false")}} }""";

        JsonArray output;
        if (stream)
        {
            var (_, events) = await AbstractCore.Api.Tests.Responses.ResponsesClients.StreamAsync(http, body);
            Assert.DoesNotContain(events, e => e.Event == "response.output_text.delta");
            output = events.Single(e => e.Event == "response.completed").Data["response"]!["output"]!.AsArray();
        }
        else
        {
            var (_, answer) = await Wire.PostAsync(http, "/v1/responses", body);
            output = answer!["output"]!.AsArray();
        }

        var item = Assert.Single(output)!;
        Assert.Equal("function_call", (string?)item["type"]);
        Assert.Equal("call_r1", (string?)item["call_id"]);
    }

    [Fact]
    public async Task Responses_stream_a_requested_text_format_on_top_of_the_function_call_item()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_r2", "get_weather", """{"city":"Oslo"}""")));
        const string responsesTools = """[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]""";

        var (_, events) = await AbstractCore.Api.Tests.Responses.ResponsesClients.StreamAsync(http,
            $$"""{"model":"openai-compatible/fake-model","input":"weather?","agent_format":"xml","stream":true,"tools":{{responsesTools}} }""");

        var output = events.Single(e => e.Event == "response.completed").Data["response"]!["output"]!.AsArray();
        var text = (string?)output.Single(i => (string?)i!["type"] == "message")!["content"]![0]!["text"];
        Assert.StartsWith("<tool_call>\n{\n  \"name\": \"get_weather\"", text, StringComparison.Ordinal);
        Assert.Equal("call_r2", (string?)output.Single(i => (string?)i!["type"] == "function_call")!["call_id"]);
    }

    /// <summary>An upstream that ends with "tool_calls" but sent none (or whose text did not parse) must not leave an
    /// agent waiting for a call: the client gets "stop".</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Finish_reason_tool_calls_never_comes_without_calls(bool stream)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("No tool needed.", finishReason: "tool_calls"));
        var body = $$"""{"model":"openai-compatible/fake-model","stream":{{(stream ? "true" : "false")}},"tools":{{Tools}},"messages":[{"role":"user","content":"hi"}]}""";

        string? finish;
        if (stream)
        {
            var (_, events) = await Wire.StreamAsync(http, "/v1/chat/completions", body);
            finish = (string?)JsonNode.Parse(events[^2])!["choices"]![0]!["finish_reason"];
        }
        else
        {
            var (_, answer) = await Wire.PostAsync(http, "/v1/chat/completions", body);
            finish = (string?)answer!["choices"]![0]!["finish_reason"];
        }

        Assert.Equal("stop", finish);
    }

    /// <summary>An assistant turn that holds its calls both as tool_calls and as rendered markup (what a text
    /// agent_format answers) goes upstream with the calls once, structured: the markup is taken out of its content.</summary>
    [Fact]
    public async Task Rendered_calls_in_assistant_history_are_not_sent_back_upstream()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("Sunny."));
        var history = new JsonArray
        {
            new JsonObject { ["role"] = "user", ["content"] = "weather" },
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = "Checking.\n\n" + LlamaBlock,
                ["tool_calls"] = JsonNode.Parse("""[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]"""),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "sunny" },
            new JsonObject { ["role"] = "assistant", ["content"] = LlamaBlock, ["tool_calls"] = JsonNode.Parse("""[{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}]""") },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_2", ["content"] = "sunny" },
        };
        await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","agent_format":"llama3","tools":{{Tools}},"messages":{{history.ToJsonString()}}}""");

        var sent = fx.Upstream.LastChatRequest.Json!["messages"]!.AsArray();
        Assert.Equal("Checking.", (string?)sent[1]!["content"]);
        Assert.Equal("call_1", (string?)sent[1]!["tool_calls"]![0]!["id"]);
        Assert.True(sent[3]!["content"] is null || (string?)sent[3]!["content"] == "", sent[3]!.ToJsonString());
        Assert.DoesNotContain("function_call", fx.Upstream.LastChatRequest.Body, StringComparison.Ordinal);
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
