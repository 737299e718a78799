using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenAI.Chat;
using static AbstractCore.Api.Tests.Chat.ChatTools;
using static AbstractCore.Api.Tests.Providers.TranslatedProvider;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// What every provider the gateway translates for chat completions must do alike, each test run against Anthropic's
/// Messages API and Ollama's native API (<see cref="TranslatedProvider"/> scripts each fake in its own format): streamed
/// text and usage, tool calls plain, streamed and in parallel, reasoning plain and streamed, errors mid-stream.
/// What only one provider does is in <see cref="AnthropicTests"/> and <see cref="OllamaTests"/>.
/// </summary>
public sealed partial class TranslatedProviderTests(AnthropicFixture anthropic, OllamaFixture ollama)
    : IClassFixture<AnthropicFixture>, IClassFixture<OllamaFixture>
{
    private const string Chat = "/v1/chat/completions";

    /// <summary>The id the gateway makes up for a call that came without one (Ollama before 0.12).</summary>
    [GeneratedRegex("^call_[0-9a-f]{24}$")]
    private static partial Regex MadeUpCallId();

    private TranslatedProvider Provider(string name) => new(name, anthropic, ollama);

    // ---- text ----

    [Theory]
    [InlineData(TranslatedProvider.Anthropic)]
    [InlineData(Ollama)]
    public async Task Streamed_text_arrives_in_pieces_then_finish_and_usage(string name)
    {
        var provider = Provider(name);
        provider.EnqueueText("one two three four five", inputTokens: 13, outputTokens: 5);

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var pieces = 0;
        await foreach (var update in provider.Chat().CompleteChatStreamingAsync([new UserChatMessage("count")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                pieces += part.Text.Length > 0 ? 1 : 0;
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
            Assert.Equal(provider.Model, update.Model);
        }

        Assert.Equal("one two three four five", text.ToString());
        Assert.Equal(5, pieces);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(13, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(18, usage.TotalTokenCount);
        Assert.True((bool)provider.Sent["stream"]!);
    }

    // ---- tools ----

    private const string AnthropicTools =
        """[{"name":"get_weather","description":"Weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},""" +
        """{"name":"get_time","description":"Local time for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]""";

    private const string OllamaTools =
        """[{"type":"function","function":{"name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},""" +
        """{"type":"function","function":{"name":"get_time","description":"Local time for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]""";

    /// <param name="id">The upstream's call id; none (Ollama before 0.12): the gateway makes one up.</param>
    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "toolu_01", 21, AnthropicTools, """{"type":"auto"}""")]
    [InlineData(Ollama, null, 20, OllamaTools, null)]
    [InlineData(Ollama, "call_fromollama1", 20, OllamaTools, null)] // a newer Ollama's id is kept
    public async Task A_tool_call_comes_back_with_its_id_name_and_arguments(string name, string? id, int inputTokens, string toolsSent, string? toolChoiceSent)
    {
        var provider = Provider(name);
        provider.EnqueueToolCalls(null, (id, "get_weather", """{"city":"Paris","unit":"C"}"""));

        ChatCompletion completion = await provider.Chat().CompleteChatAsync([new UserChatMessage("Weather in Paris?")],
            WithTools(ChatToolChoice.CreateAutoChoice()));

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        AssertCalls([(id, "get_weather", """{"city":"Paris","unit":"C"}""")], Calls(completion));
        Assert.Equal(inputTokens, completion.Usage.InputTokenCount);
        Assert.Equal(toolsSent, provider.Sent["tools"]!.ToJsonString());
        Assert.Equal(toolChoiceSent, provider.Sent["tool_choice"]?.ToJsonString());
    }

    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "toolu_s1")]
    [InlineData(Ollama, null)]
    public async Task A_streamed_tool_call_arrives_whole_as_one_call(string name, string? id)
    {
        var provider = Provider(name);
        provider.EnqueueToolCalls(null, (id, "get_weather", """{"city":"San Francisco, CA","days":3}"""));

        AssertCalls([(id, "get_weather", """{"city":"San Francisco, CA","days":3}""")], await StreamedCalls(provider, WithTools()));
    }

    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "Checking both.", "toolu_p1", "toolu_p2")]
    [InlineData(Ollama, null, null, null)]
    public async Task Parallel_tool_calls_keep_order_and_ids_plain_and_streamed(string name, string? textBefore, string? firstId, string? secondId)
    {
        var provider = Provider(name);
        (string?, string, string)[] both = [(firstId, "get_weather", """{"city":"Oslo"}"""), (secondId, "get_time", """{"city":"Lima"}""")];

        provider.EnqueueToolCalls(textBefore, both);
        ChatCompletion completion = await provider.Chat().CompleteChatAsync([new UserChatMessage("both")], WithTools());
        if (textBefore is not null)
        {
            Assert.Equal(textBefore, completion.Content[0].Text);
        }

        AssertCalls(both, Calls(completion));

        provider.EnqueueToolCalls(textBefore, both);
        AssertCalls(both, await StreamedCalls(provider, WithTools()));
    }

    // ---- reasoning ----

    /// <param name="fields">The request's thinking fields (and what the provider cannot take with thinking on).</param>
    /// <param name="sent">Fields the upstream must have received, as a JSON object.</param>
    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "anthropic/claude-test", "\"thinking\":\"high\",\"temperature\":0.5",
        """{"thinking":{"type":"enabled","budget_tokens":16384},"max_tokens":20480}""", "temperature",
        "temperature was ignored: Anthropic does not allow it with thinking on")]
    [InlineData(Ollama, "ollama/qwen3:8b", "\"thinking\":\"on\"", """{"think":true}""", null, null)]
    public async Task Thinking_comes_back_as_reasoning_content(string name, string model, string fields, string sent, string? dropped, string? warning)
    {
        var provider = Provider(name);
        using var http = provider.Http();
        provider.EnqueueText("The answer is 4.", thinking: "2 plus 2 is 4.");

        var (response, body) = await Wire.PostAsync(http, Chat,
            $$"""{"model":"{{model}}",{{fields}},"messages":[{"role":"user","content":"2+2?"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var message = body!["choices"]![0]!["message"]!;
        Assert.Equal("The answer is 4.", (string?)message["content"]);
        Assert.Equal("2 plus 2 is 4.", (string?)message["reasoning_content"]);
        Assert.Equal("stop", (string?)body["choices"]![0]!["finish_reason"]);
        AssertSent(provider.Sent, sent);
        if (dropped is not null)
        {
            Assert.False(provider.Sent.AsObject().ContainsKey(dropped), dropped);
        }

        if (warning is not null)
        {
            Assert.Contains(warning, Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);
        }
    }

    /// <param name="reasoningPieces">How many deltas the reasoning comes in, where the provider's fake says so exactly.</param>
    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "anthropic/claude-test", "\"thinking\":\"on\"", """{"thinking":{"type":"enabled","budget_tokens":8192},"max_tokens":12288}""", 6)]
    [InlineData(Ollama, "ollama/qwen3:8b", "\"thinking\":true", """{"think":true}""", null)]
    public async Task Streamed_thinking_comes_back_as_reasoning_content_deltas_before_the_text(string name, string model, string field, string sent, int? reasoningPieces)
    {
        var provider = Provider(name);
        using var http = provider.Http();
        provider.EnqueueText("The answer is 42.", thinking: "Let me multiply six by seven.");

        var (response, events) = await Wire.StreamAsync(http, Chat,
            $$"""{"model":"{{model}}","stream":true,{{field}},"messages":[{"role":"user","content":"6*7?"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var deltas = events[..^1].Select(e => Delta(JsonNode.Parse(e)!)).OfType<JsonNode>().ToList();
        var reasoning = deltas.Select(d => (string?)d["reasoning_content"]).OfType<string>().ToList();
        Assert.Equal("Let me multiply six by seven.", string.Concat(reasoning));
        Assert.Equal("The answer is 42.", string.Concat(deltas.Select(d => (string?)d["content"])));
        Assert.True(reasoning.Count >= 2, "reasoning should stream in pieces");
        if (reasoningPieces is { } pieces)
        {
            Assert.Equal(pieces, reasoning.Count);
        }

        var lastReasoning = deltas.FindLastIndex(d => d["reasoning_content"] is not null);
        var firstText = deltas.FindIndex(d => !string.IsNullOrEmpty((string?)d["content"]));
        Assert.True(lastReasoning < firstText, "reasoning comes before the answer");
        AssertSent(provider.Sent, sent);
    }

    // ---- errors ----

    [Theory]
    [InlineData(TranslatedProvider.Anthropic, "Overloaded", "Provider 'anthropic' failed (HTTP 529): Overloaded", "upstream_error")]
    [InlineData(Ollama, "an error was encountered while running the model: out of memory",
        "Provider 'ollama' reported an error: an error was encountered while running the model: out of memory", null)]
    public async Task An_error_mid_stream_becomes_an_in_band_error_and_no_done(string name, string upstreamMessage, string message, string? type)
    {
        var provider = Provider(name);
        using var http = provider.Http();
        provider.EnqueueErrorMidStream("partial answer", upstreamMessage);

        var (response, events) = await Wire.StreamAsync(http, Chat,
            $$"""{"model":"{{provider.Model}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var chunks = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal("partial answer", string.Concat(chunks.Select(c => (string?)Delta(c)?["content"])));
        var error = chunks[^1]["error"]!;
        Assert.Equal(message, (string?)error["message"]);
        if (type is not null)
        {
            Assert.Equal(type, (string?)error["type"]);
        }
    }

    // ---- helpers ----

    /// <summary>The first choice's delta of a stream chunk; none in a chunk without choices (usage, error).</summary>
    private static JsonNode? Delta(JsonNode chunk) => chunk["choices"] is JsonArray { Count: > 0 } choices ? choices[0]!["delta"] : null;

    /// <summary>Asserts each field of the JSON object <paramref name="fields"/> was sent as is.</summary>
    private static void AssertSent(JsonNode sent, string fields)
    {
        foreach (var (key, value) in JsonNode.Parse(fields)!.AsObject())
        {
            Assert.Equal(value!.ToJsonString(), sent[key]?.ToJsonString());
        }
    }

    /// <summary>
    /// Asserts the calls came back in order with their names and exact arguments, each with the upstream's id or, where
    /// the upstream gave none, an id the gateway made up, no two alike.
    /// </summary>
    private static void AssertCalls((string? Id, string Name, string Arguments)[] expected, List<(string Id, string Name, string Arguments)> calls)
    {
        Assert.Equal(expected.Select(c => (c.Name, c.Arguments)), calls.Select(c => (c.Name, c.Arguments)));
        foreach (var (want, call) in expected.Zip(calls))
        {
            if (want.Id is null)
            {
                Assert.Matches(MadeUpCallId(), call.Id);
            }
            else
            {
                Assert.Equal(want.Id, call.Id);
            }
        }

        Assert.Equal(calls.Count, calls.Select(c => c.Id).Distinct().Count());
    }

    private static List<(string Id, string Name, string Arguments)> Calls(ChatCompletion completion) =>
        [.. completion.ToolCalls.Select(c => (c.Id, c.FunctionName, c.FunctionArguments.ToString()))];

    /// <summary>The tool calls of a streamed answer, their fragments joined by index; the stream must finish with tool_calls.</summary>
    private static async Task<List<(string Id, string Name, string Arguments)>> StreamedCalls(TranslatedProvider provider, ChatCompletionOptions options)
    {
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        ChatFinishReason? finish = null;
        await foreach (var update in provider.Chat().CompleteChatStreamingAsync([new UserChatMessage("go")], options))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                var call = calls.TryGetValue(part.Index, out var known) ? known : (null, null, new StringBuilder());
                calls[part.Index] = (part.ToolCallId ?? call.Id, part.FunctionName ?? call.Name, call.Arguments.Append(part.FunctionArgumentsUpdate?.ToString()));
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        return [.. calls.Values.Select(c => (c.Id!, c.Name!, c.Arguments.ToString()))];
    }
}
