using System.Text.Json.Nodes;
using Anthropic.Models.Messages;
using AbstractCore.TestKit.Documents;
using AbstractCore.TestKit.FakeOllama;
using static AbstractCore.Api.Tests.Messages.MessagesSdkClient;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// <c>POST /v1/messages</c> with Anthropic's official .NET SDK as the client, answered whole (no stream), through the
/// real gateway to a fake of each wire format: text, tool calls (one and parallel), a tool_result turn, thinking, an
/// image and a PDF. What reaches each upstream is read back from its fake in its own format.
/// </summary>
[Collection(MessagesSdkCollection.Name)]
public sealed class MessagesSdkTests(MessagesFixture fixture)
{
    private readonly MessagesFixture fx = fixture.Reset();

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task A_text_answer_comes_back_as_a_message_with_the_upstreams_usage(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("Paris is the capital.", inputTokens: 31, outputTokens: 5);

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User("Capital of France?")) with { System = "Be brief." });

        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        var text = Assert.Single(message.Content);
        Assert.True(text.TryPickText(out var block));
        Assert.Equal("Paris is the capital.", block.Text);
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        Assert.Null(message.StopSequence);
        Assert.Equal(31, message.Usage.InputTokens);
        Assert.Equal(5, message.Usage.OutputTokens);

        var sent = upstream.Sent;
        if (provider == MessagesUpstream.Anthropic)
        {
            // Passed through: the model rewritten to the provider's own id, the rest as the client sent it.
            Assert.Equal("claude-test", (string?)sent["model"]);
            Assert.Equal("Be brief.", (string?)sent["system"]);
            Assert.Equal(256, (int?)sent["max_tokens"]);
            Assert.Equal("Capital of France?", (string?)sent["messages"]![0]!["content"]);
        }
        else
        {
            Assert.Equal(upstream.Model, message.Model.Raw());
            Assert.Equal(["system:Be brief.", "user:Capital of France?"], Turns(upstream.SentMessages));
        }
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task A_tool_call_comes_back_as_a_tool_use_block_with_a_toolu_id(string provider)
    {
        var upstream = fx.Upstream(provider);
        var upstreamId = provider == MessagesUpstream.Anthropic ? "toolu_01Weather" : "call_w1";
        upstream.EnqueueToolCalls((upstreamId, "get_weather", """{"city":"Paris"}"""));

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User("Weather in Paris?")) with { Tools = [WeatherTool()] });

        Assert.Equal(StopReason.ToolUse, message.StopReason!.Value());
        var block = Assert.Single(message.Content);
        Assert.True(block.TryPickToolUse(out var toolUse));
        Assert.Equal(provider == MessagesUpstream.Anthropic ? "toolu_01Weather" : "toolu_call_w1", toolUse.ID);
        Assert.Equal("get_weather", toolUse.Name);
        Assert.Equal("""{"city":"Paris"}""", SdkJson.Text(toolUse.Input));

        // The tool reached the upstream as its own kind of tool definition.
        var tool = upstream.Sent["tools"]![0]!;
        if (provider == MessagesUpstream.Anthropic)
        {
            Assert.Equal("get_weather", (string?)tool["name"]);
            Assert.Equal(SdkJson.Compact(WeatherSchema), tool["input_schema"]!.ToJsonString());
        }
        else
        {
            Assert.Equal("function", (string?)tool["type"]);
            Assert.Equal("get_weather", (string?)tool["function"]!["name"]);
            Assert.Equal("Weather for a city", (string?)tool["function"]!["description"]);
            Assert.Equal(SdkJson.Compact(WeatherSchema), tool["function"]!["parameters"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task Tool_calls_without_upstream_ids_get_distinct_made_up_toolu_ids()
    {
        // Ollama before 0.12 sends no call ids: the provider layer makes one up (call_…), the Messages layer prefixes it.
        fx.Ollama.Enqueue(OllamaReply.ToolCalls(new OllamaFakeToolCall("get_weather", """{"city":"Oslo"}"""), new OllamaFakeToolCall("get_weather", """{"city":"Bergen"}""")));

        var message = await fx.Sdk().Messages.Create(Params("ollama/llama3.2", User("Weather in Oslo and Bergen?")) with { Tools = [WeatherTool()] });

        Assert.Equal(2, message.Content.Count);
        Assert.True(message.Content[0].TryPickToolUse(out var first));
        Assert.True(message.Content[1].TryPickToolUse(out var second));
        Assert.Matches("^toolu_[A-Za-z0-9_-]{16,}$", first.ID);
        Assert.Matches("^toolu_[A-Za-z0-9_-]{16,}$", second.ID);
        Assert.NotEqual(first.ID, second.ID);
        Assert.Equal("""{"city":"Oslo"}""", SdkJson.Text(first.Input));
        Assert.Equal("""{"city":"Bergen"}""", SdkJson.Text(second.Input));
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task Parallel_tool_calls_come_back_as_two_tool_use_blocks_in_order(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueToolCalls(("toolu_p1", "get_weather", """{"city":"Paris"}"""), ("toolu_p2", "get_weather", """{"city":"Rome"}"""));

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User("Weather in Paris and Rome?")) with { Tools = [WeatherTool()] });

        Assert.Equal(StopReason.ToolUse, message.StopReason!.Value());
        Assert.Equal(2, message.Content.Count);
        Assert.True(message.Content[0].TryPickToolUse(out var first));
        Assert.True(message.Content[1].TryPickToolUse(out var second));
        Assert.Equal(("toolu_p1", """{"city":"Paris"}"""), (first.ID, SdkJson.Text(first.Input)));
        Assert.Equal(("toolu_p2", """{"city":"Rome"}"""), (second.ID, SdkJson.Text(second.Input)));
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task A_tool_result_turn_reaches_the_upstream_as_its_tool_messages(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("Paris is sunny; Rome could not be read.");

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model,
            User("Weather in Paris and Rome?"),
            Assistant(ToolUse("toolu_call_a", """{"city":"Paris"}"""), ToolUse("toolu_call_b", """{"city":"Rome"}""")),
            User(
                new ToolResultBlockParam("toolu_call_a") { Content = "18°C, sunny" },
                new ToolResultBlockParam("toolu_call_b") { Content = new List<Block> { new TextBlockParam("station offline") }, IsError = true }))
            with { Tools = [WeatherTool()] });

        Assert.Equal("Paris is sunny; Rome could not be read.", Assert.Single(message.Content).Json.GetProperty("text").GetString());
        var messages = upstream.SentMessages;
        switch (provider)
        {
            case MessagesUpstream.Anthropic:
                // Passed through as the client wrote it.
                Assert.Equal(3, messages.Count);
                Assert.Equal("toolu_call_b", (string?)messages[1]!["content"]![1]!["id"]);
                var result = messages[2]!["content"]![1]!;
                Assert.Equal(("tool_result", "toolu_call_b", true), ((string?)result["type"], (string?)result["tool_use_id"], (bool?)result["is_error"]));
                Assert.Equal("station offline", (string?)result["content"]![0]!["text"]);
                break;
            case MessagesUpstream.Ollama:
                Assert.Equal(4, messages.Count);
                var calls = messages[1]!["tool_calls"]!.AsArray();
                Assert.Equal(["""{"city":"Paris"}""", """{"city":"Rome"}"""], calls.Select(c => c!["function"]!["arguments"]!.ToJsonString()));
                Assert.Equal(("tool", "get_weather", "18°C, sunny"), ((string?)messages[2]!["role"], (string?)messages[2]!["tool_name"], (string?)messages[2]!["content"]));
                Assert.Equal(("tool", "Error: station offline"), ((string?)messages[3]!["role"], (string?)messages[3]!["content"]));
                break;
            default:
                Assert.Equal(4, messages.Count);
                var toolCalls = messages[1]!["tool_calls"]!.AsArray();
                Assert.Equal(["toolu_call_a", "toolu_call_b"], toolCalls.Select(c => (string?)c!["id"]));
                Assert.Equal("get_weather", (string?)toolCalls[0]!["function"]!["name"]);
                Assert.Equal("""{"city":"Paris"}""", SdkJson.Compact((string)toolCalls[0]!["function"]!["arguments"]!)); // a string
                Assert.Equal(("tool", "toolu_call_a", "18°C, sunny"),
                    ((string?)messages[2]!["role"], (string?)messages[2]!["tool_call_id"], (string?)messages[2]!["content"]));
                Assert.Equal(("tool", "toolu_call_b", "Error: station offline"),
                    ((string?)messages[3]!["role"], (string?)messages[3]!["tool_call_id"], Text(messages[3]!["content"])));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task Thinking_comes_back_as_a_thinking_block_before_the_text(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("42.", thinking: "Six times seven is forty-two.");

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User("6 x 7?")) with
        {
            MaxTokens = 4096,
            Thinking = new ThinkingConfigEnabled(2048),
        });

        Assert.Equal(2, message.Content.Count);
        Assert.True(message.Content[0].TryPickThinking(out var thinking));
        Assert.Equal("Six times seven is forty-two.", thinking.Thinking);
        Assert.True(message.Content[1].TryPickText(out var text));
        Assert.Equal("42.", text.Text);
        if (provider == MessagesUpstream.Anthropic)
        {
            Assert.Equal("sig-fake-0123456789", thinking.Signature);
            Assert.Equal(2048, (int?)upstream.Sent["thinking"]!["budget_tokens"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task A_base64_image_reaches_the_upstream_as_its_image_part(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("A tiny image.");
        var png = Convert.ToBase64String(TestDocuments.Png());

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User(
            new TextBlockParam("What is this?"),
            new ImageBlockParam(new Base64ImageSource { Data = png, MediaType = MediaType.ImagePng }))));

        Assert.Equal("A tiny image.", Assert.Single(message.Content).Json.GetProperty("text").GetString());
        var user = upstream.SentMessages[^1]!;
        switch (provider)
        {
            case MessagesUpstream.Anthropic:
                Assert.Equal("image", (string?)user["content"]![1]!["type"]);
                Assert.Equal(png, (string?)user["content"]![1]!["source"]!["data"]);
                break;
            case MessagesUpstream.Ollama:
                Assert.Equal("What is this?", (string?)user["content"]);
                Assert.Equal([png], user["images"]!.AsArray().Select(i => (string?)i));
                break;
            default:
                var parts = user["content"]!.AsArray();
                Assert.Equal("What is this?", Text(parts));
                var image = Assert.Single(parts, p => (string?)p!["type"] == "image_url")!;
                Assert.Equal("data:image/png;base64," + png, (string?)image["image_url"]!["url"]);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task A_pdf_document_reaches_the_upstream_as_its_text(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("Revenue grew.");
        var pdf = Convert.ToBase64String(TestDocuments.Pdf(["Quarterly revenue grew"], ["Page two closes"]));

        var message = await fx.Sdk().Messages.Create(Params(upstream.Model, User(
            new DocumentBlockParam(new Base64PdfSource(pdf)) { Title = "report.pdf" },
            new TextBlockParam("Summarise this."))));

        Assert.Equal("Revenue grew.", Assert.Single(message.Content).Json.GetProperty("text").GetString());
        var user = upstream.SentMessages[^1]!;
        if (provider == MessagesUpstream.Anthropic)
        {
            Assert.Equal("document", (string?)user["content"]![0]!["type"]);
            Assert.Equal(pdf, (string?)user["content"]![0]!["source"]!["data"]);
            return;
        }

        var text = Text(user["content"]);
        Assert.Contains("Quarterly revenue grew", text, StringComparison.Ordinal);
        Assert.Contains("Page two closes", text, StringComparison.Ordinal);
        Assert.Contains("Summarise this.", text, StringComparison.Ordinal);
        Assert.DoesNotContain(pdf[..40], upstream.Sent.ToJsonString(), StringComparison.Ordinal); // text, never the bytes
    }

    [Fact]
    public async Task Anthropics_cache_usage_comes_through_as_it_reported_it()
    {
        fx.Anthropic.Enqueue(AnthropicReply.Text("Cached.") with { InputTokens = 12, CacheReadInputTokens = 1800, CacheCreationInputTokens = 64, OutputTokens = 3 });

        var message = await fx.Sdk().Messages.Create(Params("anthropic/claude-test", User("Again?")));

        Assert.Equal((12L, 1800L, 64L, 3L), (message.Usage.InputTokens, message.Usage.CacheReadInputTokens, message.Usage.CacheCreationInputTokens, message.Usage.OutputTokens));
    }

    [Fact]
    public async Task Tool_choice_stop_sequences_and_user_reach_an_OpenAI_compatible_upstream_in_its_terms()
    {
        fx.OpenAI.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_c1", "get_weather", """{"city":"Lima"}""")));

        var message = await fx.Sdk().Messages.Create(Params("openai-compatible/fake-model", User("Weather in Lima?")) with
        {
            Tools = [WeatherTool()],
            ToolChoice = new ToolChoiceTool("get_weather") { DisableParallelToolUse = true },
            StopSequences = ["\n\nHuman:"],
            Metadata = new Metadata { UserID = "user-42" },
        });

        Assert.Equal(StopReason.ToolUse, message.StopReason!.Value());
        var sent = fx.OpenAI.LastChatRequest.Json!;
        Assert.Equal("get_weather", (string?)sent["tool_choice"]!["function"]!["name"]);
        Assert.False((bool?)sent["parallel_tool_calls"]);
        Assert.Equal("\n\nHuman:", (string?)(sent["stop"] is JsonArray stops ? stops[0] : sent["stop"]));
        Assert.Equal("user-42", (string?)sent["user"]);
    }

    [Fact]
    public async Task The_server_token_is_accepted_as_an_x_api_key_header()
    {
        fx.OpenAI.Enqueue(FakeReply.Text("Hi."));
        using var client = fx.SdkWithXApiKey(MessagesFixture.Token);

        var message = await client.Messages.Create(Params("openai-compatible/fake-model", User("Hello")));

        Assert.Equal("Hi.", Assert.Single(message.Content).Json.GetProperty("text").GetString());
    }

    /// <summary>The conversation as "role:text" lines.</summary>
    private static List<string> Turns(JsonArray messages) => [.. messages.Select(m => $"{m!["role"]}:{Text(m["content"])}")];

    /// <summary>Text of a message content: a string, or its text parts joined.</summary>
    private static string Text(JsonNode? content) => content switch
    {
        JsonValue v => (string?)v ?? "",
        JsonArray parts => string.Concat(parts.Where(p => (string?)p!["type"] == "text").Select(p => (string?)p!["text"] ?? "")),
        _ => "",
    };
}
