using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Clients;

/// <summary>Fake Anthropic, Ollama and OpenAI-compatible upstreams behind one gateway on real Kestrel (node is another process).</summary>
public sealed class JsClientsFixture : IAsyncLifetime
{
    public FakeOpenAIUpstream OpenAI { get; private set; } = null!;
    public FakeAnthropicUpstream Anthropic { get; private set; } = null!;
    public FakeOllamaUpstream Ollama { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;
    public JsAgentClients Clients { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAI = await FakeOpenAIUpstream.StartAsync();
        Anthropic = await FakeAnthropicUpstream.StartAsync();
        Ollama = await FakeOllamaUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = OpenAI.BaseUrl.AbsoluteUri,
            ["ANTHROPIC_BASE_URL"] = Anthropic.BaseUrl.AbsoluteUri,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test",
            ["OLLAMA_BASE_URL"] = Ollama.BaseUrl,
            ["URLS"] = "http://127.0.0.1:0",
        });
        Gateway.UseKestrel();
        Gateway.StartServer();
        var address = Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        Clients = await JsAgentClients.LocateAsync();
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OpenAI.DisposeAsync();
        await Anthropic.DisposeAsync();
        await Ollama.DisposeAsync();
    }
}

/// <summary>
/// Issue 14 point 9: the Vercel AI SDK and LangChain read only structured <c>tool_calls</c>. Each route's model family
/// (claude, llama, qwen) used to get its calls rendered as text; every client must now get two parallel calls
/// structured, with clean content, plain and streamed, and its tool-result turn must reach the upstream without markup.
/// </summary>
public sealed class JsAgentClientTests(JsClientsFixture fx) : IClassFixture<JsClientsFixture>
{
    private static readonly string[] Markers = ["<tool_call>", "<function_call>", "<|tool_call|>", "tool_code", "\\u003Ctool_call", "\\u003Cfunction_call"];

    [Theory]
    [InlineData("ai-sdk", "anthropic/claude-test", "plain")]
    [InlineData("ai-sdk", "anthropic/claude-test", "stream")]
    [InlineData("ai-sdk", "anthropic/claude-test", "result")]
    [InlineData("ai-sdk", "ollama/llama3.2", "plain")]
    [InlineData("ai-sdk", "ollama/llama3.2", "stream")]
    [InlineData("ai-sdk", "ollama/llama3.2", "result")]
    [InlineData("ai-sdk", "openai-compatible/qwen2.5-7b", "plain")]
    [InlineData("ai-sdk", "openai-compatible/qwen2.5-7b", "stream")]
    [InlineData("ai-sdk", "openai-compatible/qwen2.5-7b", "result")]
    [InlineData("langchain", "anthropic/claude-test", "plain")]
    [InlineData("langchain", "anthropic/claude-test", "stream")]
    [InlineData("langchain", "anthropic/claude-test", "result")]
    [InlineData("langchain", "ollama/llama3.2", "plain")]
    [InlineData("langchain", "ollama/llama3.2", "stream")]
    [InlineData("langchain", "ollama/llama3.2", "result")]
    [InlineData("langchain", "openai-compatible/qwen2.5-7b", "plain")]
    [InlineData("langchain", "openai-compatible/qwen2.5-7b", "stream")]
    [InlineData("langchain", "openai-compatible/qwen2.5-7b", "result")]
    public async Task Parallel_tool_calls_reach_the_client_structured_with_clean_content(string client, string model, string mode)
    {
        var requests = EnqueueTwoCallsThenAnswer(model, answerToo: mode == "result");

        var result = await fx.Clients.RunAsync(client, fx.BaseUrl, GatewayFixture.Token, model, mode);

        var calls = result["calls"]!.AsArray();
        Assert.Equal(["get_weather", "get_weather"], calls.Select(c => (string?)c!["name"]));
        Assert.Equal(["Oslo", "Paris"], calls.Select(c => (string?)c!["args"]!["city"]));
        Assert.Equal(2, calls.Select(c => (string?)c!["id"]).Distinct().Count());
        // Only the fake Anthropic says something before its calls.
        var said = model.StartsWith("anthropic/", StringComparison.Ordinal) ? "Let me check." : "";
        Assert.Equal(said, ((string?)result["content"] ?? "").Trim());
        Assert.Equal(client == "ai-sdk" ? "tool-calls" : "tool_calls", (string?)result["finish"]);
        if (mode == "result")
        {
            Assert.Equal("Oslo and Paris are both at 21 °C.", (string?)result["final"]);
            var turns = requests();
            Assert.Equal(2, turns.Count);
            Assert.Contains("celsius", turns[1], StringComparison.Ordinal); // the tool results went up
            Assert.Contains(said, turns[1], StringComparison.Ordinal);
            Assert.DoesNotContain(Markers, m => turns[1].Contains(m, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Queues two calls (Anthropic's after "Let me check."), then (for a result turn) a text answer, on the model's upstream; returns a reader of the bodies it got.</summary>
    private Func<List<string>> EnqueueTwoCallsThenAnswer(string model, bool answerToo)
    {
        const string answer = "Oslo and Paris are both at 21 °C.";
        switch (model.Split('/')[0])
        {
            case "anthropic":
                var anthropicBefore = fx.Anthropic.Requests.Count;
                fx.Anthropic.Enqueue(
                    AnthropicReply.Message("tool_use", AnthropicReplyBlock.Text("Let me check."),
                        AnthropicReplyBlock.ToolUse("toolu_1", "get_weather", """{"city":"Oslo"}"""),
                        AnthropicReplyBlock.ToolUse("toolu_2", "get_weather", """{"city":"Paris"}""")));
                if (answerToo)
                {
                    fx.Anthropic.Enqueue(AnthropicReply.Text(answer));
                }

                return () => Bodies(fx.Anthropic.Requests, anthropicBefore, "/messages");
            case "ollama":
                var ollamaBefore = fx.Ollama.Requests.Count;
                fx.Ollama.Enqueue(
                    OllamaReply.ToolCalls(new OllamaFakeToolCall("get_weather", """{"city":"Oslo"}"""), new OllamaFakeToolCall("get_weather", """{"city":"Paris"}""")));
                if (answerToo)
                {
                    fx.Ollama.Enqueue(OllamaReply.Text(answer));
                }

                return () => Bodies(fx.Ollama.Requests, ollamaBefore, "/api/chat");
            default:
                var openAIBefore = fx.OpenAI.Requests.Count;
                fx.OpenAI.Enqueue(
                    FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", """{"city":"Oslo"}"""), new FakeToolCall("call_2", "get_weather", """{"city":"Paris"}""")));
                if (answerToo)
                {
                    fx.OpenAI.Enqueue(FakeReply.Text(answer));
                }

                return () => Bodies(fx.OpenAI.Requests, openAIBefore, "/chat/completions");
        }
    }

    private static List<string> Bodies(IReadOnlyList<RecordedRequest> requests, int from, string path) =>
        [.. requests.Skip(from).Where(r => r.Path.EndsWith(path, StringComparison.Ordinal)).Select(r => r.Body)];
}
