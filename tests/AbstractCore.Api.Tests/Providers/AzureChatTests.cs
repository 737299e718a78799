using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.TestKit.FakeAzure;
using AbstractCore.TestKit.Telemetry;
using OpenAI.Chat;
using static AbstractCore.Api.Tests.Chat.ChatTools;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// <c>azure/&lt;deployment&gt;</c> through the gateway and Semantic Kernel's Azure OpenAI connector to a fake Azure OpenAI data
/// plane (its paths, <c>api-version</c>, <c>api-key</c>, filter results and chunk shapes), the official OpenAI .NET SDK as
/// the client, or raw HTTP where the SDK hides a field.
/// </summary>
public sealed class AzureChatTests(AzureFixture fx) : IClassFixture<AzureFixture>
{
    private JsonNode Sent => fx.Azure.LastChatRequest.Json!;

    [Fact]
    public async Task Plain_text_goes_to_the_deployment_path_with_the_api_key_and_version()
    {
        fx.Azure.Enqueue(AzureReply.Text("Paris is the capital.", promptTokens: 12, completionTokens: 5));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Capital of France?")], new ChatCompletionOptions { Temperature = 0.25f });

        Assert.Equal("Paris is the capital.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(AzureFixture.Model, completion.Model);
        Assert.Equal(12, completion.Usage.InputTokenCount);
        Assert.Equal(5, completion.Usage.OutputTokenCount);
        Assert.Equal(17, completion.Usage.TotalTokenCount);
        Assert.Empty(completion.ToolCalls);

        var request = fx.Azure.LastChatRequest;
        Assert.Equal($"/openai/deployments/gpt-4o/chat/completions?api-version={AzureFixture.ApiVersion}", request.Path);
        Assert.Equal(fx.Azure.ApiKey, request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}]""", Sent["messages"]!.ToJsonString());
        Assert.Equal(0.25, (double)Sent["temperature"]!, 3);
        Assert.Null(Sent["tools"]);
    }

    [Fact]
    public async Task The_call_is_made_by_semantic_kernels_connector()
    {
        // The connector's ClientCore counts the usage Azure reported on its own meter: only its code path records there.
        using var meters = new MeterCollector(null, "Microsoft.SemanticKernel.Connectors.OpenAI");
        fx.Azure.Enqueue(AzureReply.Text("Counted.", promptTokens: 31, completionTokens: 4));

        await fx.Chat().CompleteChatAsync([new UserChatMessage("count me")]);

        Assert.Contains(meters.Of("semantic_kernel.connectors.openai.tokens.prompt"), m => m.Value == 31);
        Assert.Contains(meters.Of("semantic_kernel.connectors.openai.tokens.completion"), m => m.Value == 4);
    }

    [Fact]
    public async Task Streamed_text_arrives_in_pieces_then_finish_and_usage()
    {
        fx.Azure.Enqueue(AzureReply.Text("one two three four five", promptTokens: 13, completionTokens: 5));

        var text = new StringBuilder();
        var pieces = 0;
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("count")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                pieces += part.Text.Length > 0 ? 1 : 0;
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
            Assert.Equal(AzureFixture.Model, update.Model);
        }

        Assert.Equal("one two three four five", text.ToString());
        Assert.Equal(5, pieces);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(13, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(18, usage.TotalTokenCount);
        Assert.True((bool)Sent["stream"]!);
        Assert.True((bool)Sent["stream_options"]!["include_usage"]!);
    }

    [Fact]
    public async Task A_tool_call_comes_back_with_its_id_name_and_arguments_and_tools_go_out_as_sent()
    {
        fx.Azure.Enqueue(AzureReply.ToolCalls(new AzureFakeToolCall("call_az1", "get_weather", """{"city":"Paris","unit":"C"}""")));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("Weather in Paris?")], WithTools(ChatToolChoice.CreateAutoChoice()));

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("call_az1", call.Id);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris","unit":"C"}""", call.FunctionArguments.ToString());
        Assert.Equal(
            """[{"type":"function","function":{"description":"Weather for a city","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},""" +
            """{"type":"function","function":{"description":"Local time for a city","name":"get_time","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""",
            Sent["tools"]!.ToJsonString());
        Assert.Equal("\"auto\"", Sent["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public async Task Each_streamed_argument_fragment_reaches_the_client_before_azure_sends_the_next()
    {
        const string Arguments = """{"city":"San Francisco, CA","days":3}""";
        using var hold = new SemaphoreSlim(0);
        fx.Azure.Enqueue(AzureReply.ToolCalls(new AzureFakeToolCall("call_frag", "get_weather", Arguments)) with { HoldAfterEachFragment = hold });

        // The fake sends nothing after a fragment until the client has it: a gateway that held fragments back would stall here.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (id, name, fragments) = (default(string), default(string), new List<string>());
        ChatFinishReason? finish = null;
        await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("weather?")], WithTools(), patience.Token))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                id ??= part.ToolCallId;
                name ??= part.FunctionName;
                if (part.FunctionArgumentsUpdate?.ToString() is { Length: > 0 } fragment)
                {
                    fragments.Add(fragment);
                    hold.Release();
                }
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("call_frag", id);
        Assert.Equal("get_weather", name);
        Assert.Equal(FakeAzureOpenAIUpstream.Fragments(Arguments), fragments);
        Assert.Equal(Arguments, string.Concat(fragments));
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parallel_tool_calls_keep_their_order_ids_and_arguments(bool stream)
    {
        fx.Azure.Enqueue(AzureReply.ToolCalls(
            new AzureFakeToolCall("call_p1", "get_weather", """{"city":"Oslo"}"""),
            new AzureFakeToolCall("call_p2", "get_time", """{"city":"Lima"}""")));

        List<(string Id, string Name, string Arguments)> calls;
        if (stream)
        {
            var byIndex = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
            await foreach (var update in fx.Chat().CompleteChatStreamingAsync([new UserChatMessage("both")], WithTools()))
            {
                foreach (var part in update.ToolCallUpdates)
                {
                    if (!byIndex.TryGetValue(part.Index, out var call))
                    {
                        byIndex[part.Index] = call = (part.ToolCallId, part.FunctionName, new StringBuilder());
                    }

                    call.Arguments.Append(part.FunctionArgumentsUpdate?.ToString());
                }
            }

            calls = [.. byIndex.Values.Select(c => (c.Id, c.Name, c.Arguments.ToString()))];
        }
        else
        {
            ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("both")], WithTools());
            calls = [.. completion.ToolCalls.Select(c => (c.Id, c.FunctionName, c.FunctionArguments.ToString()))];
        }

        Assert.Equal([("call_p1", "get_weather", """{"city":"Oslo"}"""), ("call_p2", "get_time", """{"city":"Lima"}""")], calls);
    }

    [Fact]
    public async Task A_tool_result_turn_goes_back_with_the_call_verbatim_and_its_id()
    {
        fx.Azure.Enqueue(AzureReply.Text("It is 21 °C in Paris."));
        const string Arguments = """{"city": "Paris", "unit":"C"}""";

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(
        [
            new UserChatMessage("Weather in Paris?"),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("call_rt", "get_weather", BinaryData.FromString(Arguments))]),
            new ToolChatMessage("call_rt", "21 °C, sunny"),
        ], WithTools());

        Assert.Equal("It is 21 °C in Paris.", completion.Content[0].Text);
        var messages = Sent["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal("assistant", (string?)messages[1]!["role"]);
        Assert.Equal("call_rt", (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal(Arguments, (string?)messages[1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
        Assert.Equal("call_rt", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("21 °C, sunny", (string?)messages[2]!["content"]);
    }

    [Theory]
    [InlineData("\"reasoning_effort\":\"high\"", "high")]
    [InlineData("\"reasoning_effort\":\"minimal\"", "minimal")] // OpenAI's own field goes as written
    [InlineData("\"thinking\":\"low\"", "low")]
    [InlineData("\"thinking\":true", "medium")]
    public async Task A_reasoning_deployment_gets_reasoning_effort_and_max_completion_tokens(string fields, string effort)
    {
        using var http = fx.Http();
        fx.Azure.Enqueue(AzureReply.Text("4"));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"azure/o3-mini",{{fields}},"max_completion_tokens":500,"messages":[{"role":"user","content":"2+2?"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("4", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("/openai/deployments/o3-mini/chat/completions?api-version=" + AzureFixture.ApiVersion, fx.Azure.LastChatRequest.Path);
        Assert.Equal(effort, (string?)Sent["reasoning_effort"]);
        Assert.Equal(500, (int)Sent["max_completion_tokens"]!);
        Assert.Null(Sent["max_tokens"]);
    }

    [Fact]
    public async Task Fields_the_connector_has_no_setting_for_reach_azure_as_written_and_n_warns()
    {
        using var http = fx.Http();
        fx.Azure.Enqueue(AzureReply.Text("ok"));

        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"azure/gpt-4o","n":2,"prediction":{"type":"content","content":"ok"},"response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object"}}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"type":"content","content":"ok"}""", Sent["prediction"]!.ToJsonString());
        Assert.Equal("answer", (string?)Sent["response_format"]!["json_schema"]!["name"]);
        Assert.True((bool)Sent["response_format"]!["json_schema"]!["strict"]!);
        Assert.Null(Sent["n"]);
        Assert.Contains("n is not supported through Azure's connector", response.Headers.GetValues("X-AbstractCore-Warning").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_responses_api_reaches_a_deployment_too()
    {
        using var http = fx.Http();
        fx.Azure.Enqueue(AzureReply.Text("Answered through Responses."));

        var (response, body) = await Wire.PostAsync(http, "/v1/responses", """{"model":"azure/gpt-4o","input":"hi","store":false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("azure/gpt-4o", (string?)body!["model"]);
        Assert.Equal("Answered through Responses.", (string?)body["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal("/openai/deployments/gpt-4o/chat/completions?api-version=" + AzureFixture.ApiVersion, fx.Azure.LastChatRequest.Path);
    }
}
