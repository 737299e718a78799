using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// One provider whose wire the gateway translates, behind its fake upstream: Anthropic's Messages API, Ollama's native
/// API, and (for <c>/v1/responses</c>) the OpenAI-compatible chat API. It scripts the fake in the provider's own format
/// and reads what the fake received, so one theory runs the same test against each provider
/// (<c>[InlineData(TranslatedProvider.Anthropic)]</c>); only this class knows the providers' wire differences.
/// </summary>
public sealed class TranslatedProvider
{
    public const string Anthropic = "anthropic";
    public const string Ollama = "ollama";
    public const string OpenAICompatible = "openai-compatible";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly AnthropicFixture _anthropic;
    private readonly OllamaFixture _ollama;
    private readonly GatewayFixture? _openAI;

    /// <param name="name"><see cref="Anthropic"/>, <see cref="Ollama"/> or <see cref="OpenAICompatible"/>.</param>
    /// <param name="openAI">The OpenAI-compatible fixture, for a test class that runs <see cref="OpenAICompatible"/> too.</param>
    public TranslatedProvider(string name, AnthropicFixture anthropic, OllamaFixture ollama, GatewayFixture? openAI = null)
    {
        Name = name is Anthropic or Ollama or OpenAICompatible ? name : throw new ArgumentOutOfRangeException(nameof(name), name, null);
        _anthropic = anthropic;
        _ollama = ollama;
        _openAI = openAI;
    }

    public string Name { get; }

    private GatewayFixture OpenAI => _openAI ?? throw new InvalidOperationException("This test class has no OpenAI-compatible fixture.");

    /// <summary>The model, <c>provider/name</c>, the gateway routes to this provider.</summary>
    public string Model => Name switch
    {
        Anthropic => AnthropicFixture.Model,
        Ollama => OllamaFixture.Model,
        _ => GatewayFixture.Model,
    };

    public GatewayFactory Gateway => Name switch
    {
        Anthropic => _anthropic.Gateway,
        Ollama => _ollama.Gateway,
        _ => OpenAI.Gateway,
    };

    /// <summary>An HttpClient to the gateway carrying the server token (the same for every fixture).</summary>
    public HttpClient Http() => Gateway.Http(GatewayFixture.Token);

    /// <summary>The official OpenAI .NET SDK pointed at the gateway, for <paramref name="model"/> or this provider's model.</summary>
    public ChatClient Chat(string? model = null) => Gateway.Chat(model ?? Model, GatewayFixture.Token);

    /// <summary>The body of the last chat request the upstream received, in the provider's own shape.</summary>
    public JsonNode Sent => Name switch
    {
        Anthropic => _anthropic.Upstream.LastMessagesRequest.Json!,
        Ollama => _ollama.Ollama.LastChatRequest.Json!,
        _ => OpenAI.Upstream.LastChatRequest.Json!,
    };

    /// <summary>Scripts a text answer, optionally after <paramref name="thinking"/>, with the upstream's own token counts when given.</summary>
    public void EnqueueText(string text, string? thinking = null, int? inputTokens = null, int? outputTokens = null)
    {
        switch (Name)
        {
            case Anthropic:
                var reply = AnthropicReply.Text(text, thinking: thinking);
                _anthropic.Upstream.Enqueue(reply with { InputTokens = inputTokens ?? reply.InputTokens, OutputTokens = outputTokens ?? reply.OutputTokens });
                break;
            case Ollama:
                _ollama.Ollama.Enqueue(OllamaReply.Text(text, thinking: thinking, promptEvalCount: inputTokens ?? 11, evalCount: outputTokens ?? 7));
                break;
            default:
                OpenAI.Upstream.Enqueue(FakeReply.Text(text, reasoning: thinking, promptTokens: inputTokens ?? 11, completionTokens: outputTokens ?? 7));
                break;
        }
    }

    /// <summary>
    /// Scripts one answer of tool calls, after <paramref name="text"/> where the provider can say both (Anthropic). A call
    /// without an id is sent without one (Ollama before 0.12 sends none: the gateway makes one up).
    /// </summary>
    public void EnqueueToolCalls(string? text, params (string? Id, string Name, string Arguments)[] calls)
    {
        switch (Name)
        {
            case Anthropic:
                var blocks = calls.Select(c => AnthropicReplyBlock.ToolUse(c.Id ?? throw new ArgumentException("Anthropic tool calls have ids."), c.Name, c.Arguments));
                _anthropic.Upstream.Enqueue(text is null
                    ? AnthropicReply.ToolUse([.. blocks])
                    : AnthropicReply.Message("tool_use", [AnthropicReplyBlock.Text(text), .. blocks]));
                break;
            case Ollama when text is null:
                _ollama.Ollama.Enqueue(OllamaReply.ToolCalls([.. calls.Select(c => new OllamaFakeToolCall(c.Name, c.Arguments, c.Id))]));
                break;
            case OpenAICompatible when text is null:
                OpenAI.Upstream.Enqueue(FakeReply.ToolCalls([.. calls.Select(c => new FakeToolCall(c.Id ?? throw new ArgumentException("OpenAI tool calls have ids."), c.Name, c.Arguments))]));
                break;
            default:
                throw new ArgumentException($"The fake {Name} answers text or tool calls, not both.", nameof(text));
        }
    }

    /// <summary>Scripts a stream that says <paramref name="textBefore"/> and then fails with <paramref name="message"/>.</summary>
    public void EnqueueErrorMidStream(string textBefore, string message)
    {
        switch (Name)
        {
            case Anthropic:
                _anthropic.Upstream.Enqueue(AnthropicReply.StreamError("overloaded_error", message, textBefore));
                break;
            case Ollama:
                _ollama.Ollama.Enqueue(OllamaReply.ErrorMidStream(textBefore, message));
                break;
            default:
                throw new NotSupportedException($"The fake {Name} has no error mid-stream.");
        }
    }

    /// <summary>
    /// Scripts the answer to a json_schema request named <paramref name="schemaName"/>: Anthropic has no response_format,
    /// so the schema goes as a forced tool named after it, whose input is the answer; the others answer the JSON as text.
    /// </summary>
    public void EnqueueJson(string schemaName, string json)
    {
        if (Name == Anthropic)
        {
            _anthropic.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_json", schemaName, json)));
        }
        else
        {
            EnqueueText(json);
        }
    }

    /// <summary>The conversation as "role:text" lines, in the provider's own message shape.</summary>
    public List<string> Turns(JsonNode sent) =>
    [
        .. sent["messages"]!.AsArray()
            .Where(m => Name != OpenAICompatible || m!["content"] is not null) // OpenAI's tool-call turns have null content
            .Select(m => $"{m!["role"]}:{Text(m["content"])}"),
    ];

    /// <summary>
    /// Asserts the upstream got the user's turn, <paramref name="callId"/>'s call to get_weather with
    /// <paramref name="arguments"/> and its output, in its own shape.
    /// </summary>
    public void AssertToolRoundTripSent(JsonNode sent, string callId, string arguments, string output)
    {
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal("assistant", (string?)messages[1]!["role"]);
        switch (Name)
        {
            case Anthropic:
                Assert.Equal("tool_use", (string?)messages[1]!["content"]![0]!["type"]);
                Assert.Equal(callId, (string?)messages[1]!["content"]![0]!["id"]);
                Assert.Equal(arguments, messages[1]!["content"]![0]!["input"]!.ToJsonString());
                var result = messages[2]!["content"]![0]!;
                Assert.Equal("tool_result", (string?)result["type"]);
                Assert.Equal(callId, (string?)result["tool_use_id"]);
                Assert.Contains(output, result["content"]!.ToJsonString(Relaxed), StringComparison.Ordinal);
                break;
            case Ollama:
                Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
                Assert.Equal(arguments, messages[1]!["tool_calls"]![0]!["function"]!["arguments"]!.ToJsonString()); // an object
                Assert.Equal("tool", (string?)messages[2]!["role"]);
                Assert.Equal("get_weather", (string?)messages[2]!["tool_name"]);
                Assert.Equal(output, (string?)messages[2]!["content"]);
                break;
            default:
                Assert.Equal(callId, (string?)messages[1]!["tool_calls"]![0]!["id"]);
                Assert.Equal("get_weather", (string?)messages[1]!["tool_calls"]![0]!["function"]!["name"]);
                Assert.Equal(arguments, (string?)messages[1]!["tool_calls"]![0]!["function"]!["arguments"]); // a string
                Assert.Equal("tool", (string?)messages[2]!["role"]);
                Assert.Equal(callId, (string?)messages[2]!["tool_call_id"]);
                Assert.Equal(output, (string?)messages[2]!["content"]);
                break;
        }
    }

    /// <summary>Asserts the upstream was asked for an answer in the json_schema named <paramref name="schemaName"/>.</summary>
    public void AssertSchemaSent(JsonNode sent, string schemaName)
    {
        switch (Name)
        {
            case Anthropic:
                Assert.Equal(schemaName, (string?)sent["tools"]![0]!["name"]);
                Assert.Equal(schemaName, (string?)sent["tool_choice"]!["name"]);
                break;
            case Ollama:
                Assert.Equal("object", (string?)sent["format"]!["type"]);
                break;
            default:
                Assert.Equal(schemaName, (string?)sent["response_format"]!["json_schema"]!["name"]);
                break;
        }
    }

    public override string ToString() => Name;

    /// <summary>Text of a message content: a string, or the text parts (OpenAI/Anthropic part arrays) joined.</summary>
    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v => (string?)v ?? "",
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"] ?? "")),
        _ => "",
    };
}
