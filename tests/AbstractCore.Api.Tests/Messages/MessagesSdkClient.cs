using System.Text.Json;
using System.Text.Json.Nodes;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// One gateway in front of a fake of each wire format it translates <c>/v1/messages</c> to: an OpenAI-compatible chat
/// API (<c>openai-compatible/fake-model</c>), Ollama's native API (<c>ollama/llama3.2</c>) and Anthropic's Messages API
/// itself (<c>anthropic/claude-test</c>, passed through natively). <c>vllm/*</c> points at a closed port.
/// </summary>
public sealed class MessagesFixture : IAsyncLifetime
{
    public const string Token = "test-server-token";
    public const string AnthropicKey = "sk-ant-upstream-key";

    public FakeOpenAIUpstream OpenAI { get; private set; } = null!;
    public FakeOllamaUpstream Ollama { get; private set; } = null!;
    public FakeAnthropicUpstream Anthropic { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAI = await FakeOpenAIUpstream.StartAsync();
        Ollama = await FakeOllamaUpstream.StartAsync();
        Anthropic = await FakeAnthropicUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = OpenAI.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
            ["OLLAMA_BASE_URL"] = Ollama.BaseUrl,
            ["ANTHROPIC_BASE_URL"] = Anthropic.BaseUrl.AbsoluteUri,
            ["ANTHROPIC_API_KEY"] = AnthropicKey,
            ["VLLM_BASE_URL"] = "http://127.0.0.1:1/v1",
        });
        _ = Gateway.Server; // start now, not in the first test
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OpenAI.DisposeAsync();
        await Ollama.DisposeAsync();
        await Anthropic.DisposeAsync();
    }

    /// <summary>Anthropic's official .NET SDK pointed at the gateway with the server token as its API key, without retries
    /// so a test sees every failure once.</summary>
    public AnthropicClient Sdk(string? apiKey = Token) => MessagesSdkClient.For(Gateway, apiKey);

    /// <summary>The SDK sending <paramref name="key"/> as an <c>x-api-key</c> header, as Claude Code does.</summary>
    public AnthropicClient SdkWithXApiKey(string key) => MessagesSdkClient.For(Gateway, apiKey: null, xApiKey: key);

    /// <summary>A plain HttpClient to the gateway carrying the server token as <c>x-api-key</c>, as the SDK sends it.</summary>
    public HttpClient Http()
    {
        var http = Gateway.CreateClient();
        http.DefaultRequestHeaders.Add("x-api-key", Token);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return http;
    }

    public MessagesUpstream Upstream(string provider) => new(provider, this);

    /// <summary>Each test starts with empty reply scripts: one that failed before its upstream call leaves nothing behind.</summary>
    public MessagesFixture Reset()
    {
        OpenAI.ClearReplies();
        Ollama.ClearReplies();
        Anthropic.ClearReplies();
        return this;
    }
}

/// <summary>All the SDK test classes share one gateway and its fakes (FIFO reply queues), so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class MessagesSdkCollection : ICollectionFixture<MessagesFixture>
{
    public const string Name = "Messages through Anthropic's SDK";
}

/// <summary>Building the SDK client and its requests, and reading its streams.</summary>
public static class MessagesSdkClient
{
    public const string WeatherSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    public static TheoryData<string> AllProviders => [MessagesUpstream.OpenAICompatible, MessagesUpstream.Ollama, MessagesUpstream.Anthropic];

    /// <summary>The SDK pointed at <paramref name="gateway"/>. It sends its <c>ApiKey</c> as <c>Authorization: Bearer</c> (13.x);
    /// with <paramref name="xApiKey"/> it has no credential of its own and sends that as an <c>x-api-key</c> header instead,
    /// as Claude Code does.</summary>
    public static AnthropicClient For(GatewayFactory gateway, string? apiKey, string? xApiKey = null) => new(xApiKey is null
        ? new ClientOptions
        {
            BaseUrl = gateway.Server.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ApiKey = apiKey,
            HttpClient = gateway.CreateClient(),
            MaxRetries = 0,
        }
        : new ClientOptions
        {
            BaseUrl = gateway.Server.BaseAddress.AbsoluteUri.TrimEnd('/'),
            ApiKey = null,
            ExtraHeaders = new Dictionary<string, string> { ["x-api-key"] = xApiKey },
            HttpClient = gateway.CreateClient(),
            MaxRetries = 0,
        });

    public static MessageParam User(string text) => new UserMessageParam(text);

    public static MessageParam User(params ContentBlockParam[] blocks) => new UserMessageParam(new List<ContentBlockParam>(blocks));

    public static MessageParam Assistant(params ContentBlockParam[] blocks) => new AssistantMessageParam(new List<ContentBlockParam>(blocks));

    public static Tool WeatherTool() => new()
    {
        Name = "get_weather",
        Description = "Weather for a city",
        InputSchema = new InputSchema(SdkJson.Object(WeatherSchema)),
    };

    public static ToolUseBlockParam ToolUse(string id, string input) => new()
    {
        ID = id,
        Name = "get_weather",
        Input = SdkJson.Object(input),
    };

    public static MessageCreateParams Params(string model, params MessageParam[] messages) => new()
    {
        Model = model,
        MaxTokens = 256,
        Messages = messages,
    };

    /// <summary>Every event of an SDK stream, in order.</summary>
    public static async Task<List<RawMessageStreamEvent>> StreamAsync(AnthropicClient client, MessageCreateParams parameters, CancellationToken cancellationToken = default)
    {
        var events = new List<RawMessageStreamEvent>();
        await foreach (var e in client.Messages.CreateStreaming(parameters, cancellationToken))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>The wire name of a stream event (its <c>type</c>).</summary>
    public static string Name(RawMessageStreamEvent e) => e.Json.GetProperty("type").GetString()!;

    /// <summary>The deltas of one kind (<c>text_delta</c>, <c>thinking_delta</c>, <c>input_json_delta</c>…) at block <paramref name="index"/>, in order.</summary>
    public static List<string> Deltas(IEnumerable<RawMessageStreamEvent> events, string type, long? index = null)
    {
        var pieces = new List<string>();
        foreach (var e in events)
        {
            if (!e.TryPickContentBlockDelta(out var delta) || (index is { } i && delta.Index != i))
            {
                continue;
            }

            var json = delta.Delta.Json;
            if (json.GetProperty("type").GetString() != type)
            {
                continue;
            }

            pieces.Add(type switch
            {
                "text_delta" => json.GetProperty("text").GetString()!,
                "thinking_delta" => json.GetProperty("thinking").GetString()!,
                "input_json_delta" => json.GetProperty("partial_json").GetString()!,
                "signature_delta" => json.GetProperty("signature").GetString()!,
                _ => json.GetRawText(),
            });
        }

        return pieces;
    }

    /// <summary>The blocks the stream opened, as (index, type, id, name).</summary>
    public static List<(long Index, string Type, string? Id, string? Name)> Starts(IEnumerable<RawMessageStreamEvent> events) =>
    [
        .. events.Select(e => e.TryPickContentBlockStart(out var start) ? start : null)
            .OfType<RawContentBlockStartEvent>()
            .Select(s => (s.Index, s.ContentBlock.Json.GetProperty("type").GetString()!,
                s.ContentBlock.Json.TryGetProperty("id", out var id) ? id.GetString() : null,
                s.ContentBlock.Json.TryGetProperty("name", out var name) ? name.GetString() : null)),
    ];

    /// <summary>Every SSE event of a plain HTTP stream as (event name, data JSON), in order.</summary>
    public static async Task<(HttpResponseMessage Response, List<(string Event, JsonNode Data)> Events)> RawStreamAsync(HttpClient http, string json, string path = "/v1/messages")
    {
        var (response, events) = await Wire.NamedEventsAsync(http, path, json);
        return (response, events.Select(e => (e.Event ?? "", e.Data)).ToList());
    }

    /// <summary>JSON object text as the SDK's dictionaries of elements.</summary>
    public static class SdkJson
    {
        public static Dictionary<string, JsonElement> Object(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }

        /// <summary>An SDK tool input back as compact JSON text.</summary>
        public static string Text(IReadOnlyDictionary<string, JsonElement> input) => JsonSerializer.Serialize(input);

        /// <summary>JSON text made compact, to compare with <see cref="Text"/>.</summary>
        public static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
    }
}

/// <summary>
/// One provider behind the gateway, scripted in its own wire format, and what it received read back in that format:
/// only this class knows the three wire formats, so one theory runs a test against each provider.
/// </summary>
public sealed class MessagesUpstream(string name, MessagesFixture fx)
{
    public const string OpenAICompatible = "openai-compatible";
    public const string Ollama = "ollama";
    public const string Anthropic = "anthropic";

    public string Name { get; } = name is OpenAICompatible or Ollama or Anthropic ? name : throw new ArgumentOutOfRangeException(nameof(name), name, null);

    /// <summary>The model id the client sends, <c>provider/model</c>.</summary>
    public string Model => Name switch
    {
        Anthropic => "anthropic/claude-test",
        Ollama => "ollama/llama3.2",
        _ => "openai-compatible/fake-model",
    };

    /// <summary>The body of the last chat request the upstream received, in its own shape.</summary>
    public JsonNode Sent => Name switch
    {
        Anthropic => fx.Anthropic.LastMessagesRequest.Json!,
        Ollama => fx.Ollama.LastChatRequest.Json!,
        _ => fx.OpenAI.LastChatRequest.Json!,
    };

    /// <summary>The messages the upstream received (Ollama and OpenAI keep the system prompt among them).</summary>
    public JsonArray SentMessages => Sent["messages"]!.AsArray();

    public void EnqueueText(string text, string? thinking = null, int inputTokens = 11, int outputTokens = 7)
    {
        switch (Name)
        {
            case Anthropic:
                fx.Anthropic.Enqueue(AnthropicReply.Text(text, thinking: thinking) with { InputTokens = inputTokens, OutputTokens = outputTokens });
                break;
            case Ollama:
                fx.Ollama.Enqueue(OllamaReply.Text(text, thinking: thinking, promptEvalCount: inputTokens, evalCount: outputTokens));
                break;
            default:
                fx.OpenAI.Enqueue(FakeReply.Text(text, reasoning: thinking, promptTokens: inputTokens, completionTokens: outputTokens));
                break;
        }
    }

    /// <summary>One answer of (parallel) tool calls to get_weather-like tools.</summary>
    public void EnqueueToolCalls(params (string Id, string Name, string Input)[] calls)
    {
        switch (Name)
        {
            case Anthropic:
                fx.Anthropic.Enqueue(AnthropicReply.ToolUse([.. calls.Select(c => AnthropicReplyBlock.ToolUse(c.Id, c.Name, c.Input))]));
                break;
            case Ollama:
                fx.Ollama.Enqueue(OllamaReply.ToolCalls([.. calls.Select(c => new OllamaFakeToolCall(c.Name, c.Input, c.Id))]));
                break;
            default:
                fx.OpenAI.Enqueue(FakeReply.ToolCalls([.. calls.Select(c => new FakeToolCall(c.Id, c.Name, c.Input))]));
                break;
        }
    }

    /// <summary>A streamed tool call that stops after two argument fragments until <paramref name="release"/> completes.</summary>
    public void EnqueueHeldToolCall(Task release, string id, string input)
    {
        switch (Name)
        {
            case Anthropic:
                fx.Anthropic.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse(id, "get_weather", input))
                    with { HoldAfterFirstFragment = release, FragmentsBeforeHold = 2 });
                break;
            case OpenAICompatible:
                fx.OpenAI.Enqueue(FakeReply.HeldToolCall(release, new FakeToolCall(id, "get_weather", input), fragmentsBeforeHold: 2));
                break;
            default:
                throw new NotSupportedException("Ollama sends tool arguments whole, never in fragments.");
        }
    }

    /// <summary>A stream that says <paramref name="textBefore"/> (two words) and then dies: the OpenAI-compatible upstream
    /// drops the connection after those two chunks, Ollama sends an error line, Anthropic an <c>overloaded_error</c> event.</summary>
    public void EnqueueDyingStream(string textBefore)
    {
        switch (Name)
        {
            case Anthropic:
                fx.Anthropic.Enqueue(AnthropicReply.StreamError("overloaded_error", "Overloaded", textBefore));
                break;
            case Ollama:
                fx.Ollama.Enqueue(OllamaReply.ErrorMidStream(textBefore, "model runner has unexpectedly stopped"));
                break;
            default:
                fx.OpenAI.Enqueue(FakeReply.CutStream(textBefore + " and the rest", chunksBeforeCut: 2));
                break;
        }
    }

    /// <summary>An HTTP error from the upstream, in its own envelope.</summary>
    public void EnqueueError(int status, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        switch (Name)
        {
            case Anthropic:
                var type = status switch
                {
                    429 => "rate_limit_error",
                    529 or 503 => "overloaded_error",
                    >= 500 => "api_error",
                    404 => "not_found_error",
                    403 => "permission_error",
                    _ => "invalid_request_error",
                };
                fx.Anthropic.Enqueue(AnthropicReply.Error(status, type, message, headers));
                break;
            case Ollama:
                fx.Ollama.Enqueue(OllamaReply.Error(status, message));
                break;
            default:
                fx.OpenAI.Enqueue(FakeReply.Error(status, message, status == 429 ? "rate_limit_error" : "server_error", headers: headers));
                break;
        }
    }

    public override string ToString() => Name;
}
