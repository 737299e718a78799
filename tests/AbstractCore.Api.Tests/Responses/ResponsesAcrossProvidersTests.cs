using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Providers;
using OpenAI.Responses;
using static AbstractCore.Api.Tests.Providers.TranslatedProvider;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// The same five conversations through the official SDK's Responses client against each wire protocol the gateway
/// speaks upstream: create, stream, a function call and its output, previous_response_id, json_schema output.
/// <see cref="TranslatedProvider"/> scripts each provider's fake upstream in its own format and reads what it received.
/// </summary>
public sealed class ResponsesAcrossProvidersTests(GatewayFixture openAI, AnthropicFixture anthropic, OllamaFixture ollama)
    : IClassFixture<GatewayFixture>, IClassFixture<AnthropicFixture>, IClassFixture<OllamaFixture>
{
    private const string OpenAITools =
        """[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";

    private const string AnthropicTools =
        """[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";

    private static readonly ResponseTool Weather = ResponseTool.CreateFunctionTool("get_weather",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), null, "Weather for a city");

    public static TheoryData<string> Providers => [OpenAICompatible, TranslatedProvider.Anthropic, Ollama];

    private TranslatedProvider Provider(string name) => new(name, anthropic, ollama, openAI);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Create_returns_the_answer_as_a_completed_response(string name)
    {
        var provider = Provider(name);
        provider.EnqueueText("Paris.");

        ResponseResult result = await ResponsesClients.For(provider.Gateway).CreateResponseAsync(new CreateResponseOptions
        {
            Model = provider.Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France?") },
        });

        Assert.Equal("Paris.", result.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(provider.Model, result.Model);
        Assert.Contains("user:Capital of France?", provider.Turns(provider.Sent));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Stream_tells_the_answer_as_text_deltas_and_a_completed_response(string name)
    {
        var provider = Provider(name);
        provider.EnqueueText("one two three");

        var (deltas, _, completed) = await ResponsesClients.StreamTextAsync(ResponsesClients.For(provider.Gateway), new CreateResponseOptions
        {
            Model = provider.Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Count to three.") },
            StreamingEnabled = true,
        });

        Assert.Equal("one two three", string.Concat(deltas));
        Assert.NotNull(completed);
        Assert.Equal("one two three", completed.GetOutputText());
    }

    /// <param name="toolsSent">The function tool as the upstream must have received it, in its own shape.</param>
    /// <param name="byPreviousResponseId">
    /// The output continues the stored first response by its id; else the client sends the whole history, unstored.
    /// </param>
    [Theory]
    [InlineData(OpenAICompatible, OpenAITools, false)]
    [InlineData(TranslatedProvider.Anthropic, AnthropicTools, false)]
    [InlineData(Ollama, OpenAITools, false)]
    [InlineData(OpenAICompatible, OpenAITools, true)]
    [InlineData(TranslatedProvider.Anthropic, AnthropicTools, true)]
    [InlineData(Ollama, OpenAITools, true)]
    public async Task A_function_call_and_its_output_round_trip(string name, string toolsSent, bool byPreviousResponseId)
    {
        var provider = Provider(name);
        var client = ResponsesClients.For(provider.Gateway);
        provider.EnqueueToolCalls(null, ("call_w1", "get_weather", """{"city":"Paris"}"""));

        ResponseResult first = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = provider.Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Weather in Paris?") },
            Tools = { Weather },
        });

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("call_w1", call.CallId);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"city":"Paris"}""", call.FunctionArguments.ToString());
        Assert.Equal(toolsSent, provider.Sent["tools"]!.ToJsonString());

        provider.EnqueueText("18°C and sunny.");
        var output = ResponseItem.CreateFunctionCallOutputItem(call.CallId, "18°C, sunny");
        ResponseResult second = await client.CreateResponseAsync(byPreviousResponseId
            ? new CreateResponseOptions { Model = provider.Model, PreviousResponseId = first.Id, InputItems = { output }, Tools = { Weather } }
            : new CreateResponseOptions
            {
                Model = provider.Model,
                InputItems =
                {
                    ResponseItem.CreateUserMessageItem("Weather in Paris?"),
                    ResponseItem.CreateFunctionCallItem(call.CallId, call.FunctionName, call.FunctionArguments),
                    output,
                },
                Tools = { Weather },
                StoredOutputEnabled = false,
            });

        Assert.Equal("18°C and sunny.", second.GetOutputText());
        provider.AssertToolRoundTripSent(provider.Sent, call.CallId, """{"city":"Paris"}""", "18°C, sunny");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Previous_response_id_continues_the_conversation(string name)
    {
        var provider = Provider(name);
        var client = ResponsesClients.For(provider.Gateway);
        provider.EnqueueText("Hello Ada.");
        ResponseResult first = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = provider.Model,
            InputItems = { ResponseItem.CreateUserMessageItem("I am Ada.") },
        });

        provider.EnqueueText("You are Ada.");
        ResponseResult second = await client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = provider.Model,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateUserMessageItem("Who am I?") },
        });

        Assert.Equal("You are Ada.", second.GetOutputText());
        Assert.Equal(["user:I am Ada.", "assistant:Hello Ada.", "user:Who am I?"], provider.Turns(provider.Sent));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_json_schema_format_gives_the_json_as_output_text(string name)
    {
        var provider = Provider(name);
        provider.EnqueueJson("capital", """{"city":"Paris"}""");

        ResponseResult result = await ResponsesClients.For(provider.Gateway).CreateResponseAsync(new CreateResponseOptions
        {
            Model = provider.Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France as JSON.") },
            TextOptions = new ResponseTextOptions
            {
                TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("capital",
                    BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
                    jsonSchemaIsStrict: true),
            },
        });

        Assert.Equal("Paris", (string?)JsonNode.Parse(result.GetOutputText())!["city"]);
        provider.AssertSchemaSent(provider.Sent, "capital");
    }
}
