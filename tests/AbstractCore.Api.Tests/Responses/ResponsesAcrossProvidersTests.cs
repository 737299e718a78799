using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Providers;
using AbstractCore.TestKit;
using AbstractCore.TestKit.FakeOllama;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// The same five conversations through the official SDK's Responses client against each wire protocol the gateway
/// speaks upstream: create, stream, a function call and its output, previous_response_id, json_schema output.
/// Each subclass scripts its fake upstream in that provider's own format and reads what it received.
/// </summary>
public abstract class ResponsesAcrossProviders
{
    private static readonly ResponseTool Weather = ResponseTool.CreateFunctionTool("get_weather",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), null, "Weather for a city");

    protected abstract string Model { get; }

    protected abstract GatewayFactory Gateway { get; }

    /// <summary>The body of the last request the upstream received.</summary>
    protected abstract JsonNode Sent { get; }

    protected abstract void EnqueueText(string text);

    protected abstract void EnqueueToolCall(string id, string name, string arguments);

    /// <summary>Scripts the upstream's answer to a json_schema request (named <paramref name="schemaName"/>).</summary>
    protected abstract void EnqueueJson(string schemaName, string json);

    /// <summary>The conversation as "role:text" lines, in the upstream's own message shape.</summary>
    protected abstract List<string> Turns(JsonNode sent);

    /// <summary>Asserts the upstream got <paramref name="callId"/>'s call and its output, in its own shape.</summary>
    protected abstract void AssertToolRoundTrip(JsonNode sent, string callId, string output);

    protected abstract void AssertSchemaSent(JsonNode sent, string schemaName);

    private ResponsesClient Client => ResponsesClients.For(Gateway);

    [Fact]
    public async Task Create_returns_the_answer_as_a_completed_response()
    {
        EnqueueText("Paris.");

        ResponseResult result = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France?") },
        });

        Assert.Equal("Paris.", result.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(Model, result.Model);
        Assert.Contains("user:Capital of France?", Turns(Sent));
    }

    [Fact]
    public async Task Stream_tells_the_answer_as_text_deltas_and_a_completed_response()
    {
        EnqueueText("one two three");

        var deltas = new List<string>();
        ResponseResult? completed = null;
        var stream = await Client.CreateResponseStreamingAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Count to three.") },
            StreamingEnabled = true,
        });
        await foreach (var update in stream)
        {
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    deltas.Add(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        Assert.Equal("one two three", string.Concat(deltas));
        Assert.NotNull(completed);
        Assert.Equal("one two three", completed.GetOutputText());
    }

    [Fact]
    public async Task A_function_call_and_its_output_round_trip()
    {
        EnqueueToolCall("call_w1", "get_weather", """{"city":"Paris"}""");

        ResponseResult first = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Weather in Paris?") },
            Tools = { Weather },
        });

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", (string?)JsonNode.Parse(call.FunctionArguments.ToString())!["city"]);

        EnqueueText("18°C and sunny.");
        ResponseResult second = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems =
            {
                ResponseItem.CreateUserMessageItem("Weather in Paris?"),
                ResponseItem.CreateFunctionCallItem(call.CallId, call.FunctionName, call.FunctionArguments),
                ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18°C, sunny"),
            },
            Tools = { Weather },
            StoredOutputEnabled = false,
        });

        Assert.Equal("18°C and sunny.", second.GetOutputText());
        AssertToolRoundTrip(Sent, call.CallId, "18°C, sunny");
    }

    [Fact]
    public async Task Previous_response_id_continues_the_conversation()
    {
        EnqueueText("Hello Ada.");
        ResponseResult first = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("I am Ada.") },
        });

        EnqueueText("You are Ada.");
        ResponseResult second = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateUserMessageItem("Who am I?") },
        });

        Assert.Equal("You are Ada.", second.GetOutputText());
        Assert.Equal(["user:I am Ada.", "assistant:Hello Ada.", "user:Who am I?"], Turns(Sent));
    }

    [Fact]
    public async Task A_json_schema_format_gives_the_json_as_output_text()
    {
        EnqueueJson("capital", """{"city":"Paris"}""");

        ResponseResult result = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France as JSON.") },
            TextOptions = new ResponseTextOptions
            {
                TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("capital",
                    BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
                    jsonSchemaIsStrict: true),
            },
        });

        Assert.Equal("Paris", (string?)JsonNode.Parse(result.GetOutputText())!["city"]);
        AssertSchemaSent(Sent, "capital");
    }

    /// <summary>Text of a message content: a string, or the text parts (OpenAI/Anthropic part arrays) joined.</summary>
    protected static string Text(JsonNode? content) => content switch
    {
        JsonValue v => (string?)v ?? "",
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"] ?? "")),
        _ => "",
    };
}

public sealed class ResponsesOpenAICompatibleTests(GatewayFixture fx) : ResponsesAcrossProviders, IClassFixture<GatewayFixture>
{
    protected override string Model => GatewayFixture.Model;

    protected override GatewayFactory Gateway => fx.Gateway;

    protected override JsonNode Sent => fx.Upstream.LastChatRequest.Json!;

    protected override void EnqueueText(string text) => fx.Upstream.Enqueue(FakeReply.Text(text));

    protected override void EnqueueToolCall(string id, string name, string arguments) =>
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall(id, name, arguments)));

    protected override void EnqueueJson(string schemaName, string json) => fx.Upstream.Enqueue(FakeReply.Text(json));

    protected override List<string> Turns(JsonNode sent) =>
        sent["messages"]!.AsArray().Where(m => m!["content"] is not null).Select(m => $"{m!["role"]}:{Text(m["content"])}").ToList();

    protected override void AssertToolRoundTrip(JsonNode sent, string callId, string output)
    {
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(callId, (string?)messages[1]!["tool_calls"]![0]!["id"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
        Assert.Equal(callId, (string?)messages[2]!["tool_call_id"]);
        Assert.Equal(output, Text(messages[2]!["content"]));
    }

    protected override void AssertSchemaSent(JsonNode sent, string schemaName) =>
        Assert.Equal(schemaName, (string?)sent["response_format"]!["json_schema"]!["name"]);
}

public sealed class ResponsesAnthropicProtocolTests(AnthropicFixture fx) : ResponsesAcrossProviders, IClassFixture<AnthropicFixture>
{
    protected override string Model => AnthropicFixture.Model;

    protected override GatewayFactory Gateway => fx.Gateway;

    protected override JsonNode Sent => fx.Upstream.LastMessagesRequest.Json!;

    protected override void EnqueueText(string text) => fx.Upstream.Enqueue(AnthropicReply.Text(text));

    protected override void EnqueueToolCall(string id, string name, string arguments) =>
        fx.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse(id, name, arguments)));

    // Anthropic has no response_format: the schema goes as a forced tool named after it, whose input is the answer.
    protected override void EnqueueJson(string schemaName, string json) =>
        fx.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_json", schemaName, json)));

    protected override List<string> Turns(JsonNode sent) =>
        sent["messages"]!.AsArray().Select(m => $"{m!["role"]}:{Text(m["content"])}").ToList();

    protected override void AssertToolRoundTrip(JsonNode sent, string callId, string output)
    {
        var messages = sent["messages"]!.AsArray();
        Assert.Equal("tool_use", (string?)messages[1]!["content"]![0]!["type"]);
        Assert.Equal(callId, (string?)messages[1]!["content"]![0]!["id"]);
        var result = messages[2]!["content"]![0]!;
        Assert.Equal("tool_result", (string?)result["type"]);
        Assert.Equal(callId, (string?)result["tool_use_id"]);
        Assert.Contains(output, result["content"]!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }), StringComparison.Ordinal);
    }

    protected override void AssertSchemaSent(JsonNode sent, string schemaName)
    {
        Assert.Equal(schemaName, (string?)sent["tools"]![0]!["name"]);
        Assert.Equal(schemaName, (string?)sent["tool_choice"]!["name"]);
    }
}

public sealed class ResponsesOllamaProtocolTests(OllamaFixture fx) : ResponsesAcrossProviders, IClassFixture<OllamaFixture>
{
    protected override string Model => OllamaFixture.Model;

    protected override GatewayFactory Gateway => fx.Gateway;

    protected override JsonNode Sent => fx.Ollama.LastChatRequest.Json!;

    protected override void EnqueueText(string text) => fx.Ollama.Enqueue(OllamaReply.Text(text));

    protected override void EnqueueToolCall(string id, string name, string arguments) =>
        fx.Ollama.Enqueue(OllamaReply.ToolCalls(new OllamaFakeToolCall(name, arguments, id)));

    protected override void EnqueueJson(string schemaName, string json) => fx.Ollama.Enqueue(OllamaReply.Text(json));

    protected override List<string> Turns(JsonNode sent) =>
        sent["messages"]!.AsArray().Select(m => $"{m!["role"]}:{Text(m["content"])}").ToList();

    protected override void AssertToolRoundTrip(JsonNode sent, string callId, string output)
    {
        var messages = sent["messages"]!.AsArray();
        Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.Equal("tool", (string?)messages[2]!["role"]);
        Assert.Equal("get_weather", (string?)messages[2]!["tool_name"]);
        Assert.Equal(output, (string?)messages[2]!["content"]);
    }

    protected override void AssertSchemaSent(JsonNode sent, string schemaName) =>
        Assert.Equal("object", (string?)sent["format"]!["type"]);
}
