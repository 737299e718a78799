using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.TestKit.FakeOllama;
using OpenAI.Chat;
using static AbstractCore.Api.Tests.Chat.ChatTools;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// <c>ollama/*</c> through the gateway to Ollama's native API (a fake speaking its wire format on real Kestrel), with
/// the official OpenAI .NET SDK as the client, or raw HTTP where the SDK hides a field. What Anthropic must do alike
/// (streamed text, tool calls, reasoning, errors mid-stream) is in <see cref="TranslatedProviderTests"/>.
/// </summary>
public sealed class OllamaTests(OllamaFixture fx) : IClassFixture<OllamaFixture>
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private JsonNode Sent => fx.Ollama.LastChatRequest.Json!;

    /// <summary>The <c>POST /api/chat</c> requests so far (model listing may call <c>/api/tags</c> in between).</summary>
    private List<TestKit.RecordedRequest> Chats => [.. fx.Ollama.Requests.Where(r => r.Path == "/api/chat")];

    // ---------------------------------------------------------------- text

    [Fact]
    public async Task Plain_text_round_trips_in_the_openai_shape()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("Paris is the capital.", promptEvalCount: 12, evalCount: 5));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Capital of France?")]);

        Assert.Equal("Paris is the capital.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(OllamaFixture.Model, completion.Model);
        Assert.Equal(12, completion.Usage.InputTokenCount);
        Assert.Equal(5, completion.Usage.OutputTokenCount);
        Assert.Equal(17, completion.Usage.TotalTokenCount);
        Assert.Equal(fx.Ollama.CreatedAt, completion.CreatedAt);
        Assert.Empty(completion.ToolCalls);

        var request = fx.Ollama.LastChatRequest;
        Assert.Equal("POST", request.Method);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        var sent = request.Json!.AsObject();
        Assert.Equal("llama3.2", (string?)sent["model"]);
        Assert.False((bool)sent["stream"]!);
        Assert.Equal(
            """[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}]""",
            sent["messages"]!.ToJsonString());
        Assert.False(sent.ContainsKey("options"));
        Assert.False(sent.ContainsKey("think"));
        Assert.False(sent.ContainsKey("tools"));
        Assert.False(sent.ContainsKey("format"));
    }

    [Fact]
    public async Task Streamed_lines_reach_the_client_as_they_arrive()
    {
        // The upstream sends two pieces and then stalls without a done line: they must already be at the client.
        fx.Ollama.Enqueue(OllamaReply.StallAfter("early words"));
        using var http = fx.Http();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Wire.Json("""{"model":"ollama/llama3.2","stream":true,"messages":[{"role":"user","content":"hi"}]}"""),
        }, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var text = new StringBuilder();
        while (text.ToString() != "early words" && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                text.Append((string?)JsonNode.Parse(line[6..])!["choices"]![0]!["delta"]!["content"]);
            }
        }

        Assert.Equal("early words", text.ToString());
        response.Dispose();
        Assert.True(await fx.Ollama.WaitForCancellationAsync(TimeSpan.FromSeconds(10)), "leaving should cancel the upstream call");
    }

    // ---------------------------------------------------------------- tools

    [Fact]
    public async Task A_pure_tool_call_turn_has_null_content_on_the_wire()
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.ToolCalls(new OllamaFakeToolCall("get_time", "{}")));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"ollama/llama3.2","agent_format":"openai","messages":[{"role":"user","content":"time?"}],"tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = body!["choices"]![0]!["message"]!.AsObject();
        Assert.True(message.ContainsKey("content"));
        Assert.Null(message["content"]);
        Assert.Equal("{}", (string?)message["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("function", (string?)message["tool_calls"]![0]!["type"]);
        Assert.Equal("tool_calls", (string?)body["choices"]![0]!["finish_reason"]);
        Assert.Equal("""[{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]""", Sent["tools"]!.ToJsonString());
    }

    [Fact]
    public async Task Tool_results_go_back_as_role_tool_with_the_name_of_their_call_and_arguments_as_objects()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("18°C in Paris, noon in Lima."));
        List<ChatMessage> history =
        [
            new UserChatMessage("Weather in Paris and time in Lima?"),
            new AssistantChatMessage(
            [
                ChatToolCall.CreateFunctionToolCall("call_m1", "get_weather", BinaryData.FromString("""{"city":"Paris","days":2}""")),
                ChatToolCall.CreateFunctionToolCall("call_m2", "get_time", BinaryData.FromString("""{"city":"Lima"}""")),
            ]),
            new ToolChatMessage("call_m2", "noon"),
            new ToolChatMessage("call_m1", """{"temp_c":18}"""),
        ];

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(history, WithTools());

        Assert.Equal("18°C in Paris, noon in Lima.", completion.Content[0].Text);
        var messages = Sent["messages"]!.AsArray();
        Assert.Equal(4, messages.Count);
        Assert.Equal(
            """{"role":"assistant","content":"","tool_calls":[""" +
            """{"id":"call_m1","function":{"name":"get_weather","arguments":{"city":"Paris","days":2}}},""" +
            """{"id":"call_m2","function":{"name":"get_time","arguments":{"city":"Lima"}}}]}""",
            messages[1]!.ToJsonString());
        Assert.Equal("""{"role":"tool","content":"noon","tool_name":"get_time","tool_call_id":"call_m2"}""", messages[2]!.ToJsonString());
        Assert.Equal("""{"role":"tool","content":"{\"temp_c\":18}","tool_name":"get_weather","tool_call_id":"call_m1"}""", messages[3]!.ToJsonString(Relaxed));
    }

    [Fact]
    public async Task Tool_call_arguments_that_are_not_a_json_object_are_a_400_naming_the_field()
    {
        using var http = fx.Http();
        var before = Chats.Count;

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", """
            {"model":"ollama/llama3.2","messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c9","type":"function","function":{"name":"get_time","arguments":"not json"}}]},
              {"role":"tool","tool_call_id":"c9","content":"noon"}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[1].tool_calls[0].function.arguments", (string?)body!["error"]!["param"]);
        Assert.Contains("JSON object", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, Chats.Count);
    }

    [Fact]
    public async Task Tool_choice_none_sends_no_tools_and_a_named_choice_offers_only_that_tool_with_a_warning()
    {
        using var http = fx.Http();
        const string tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}},{"type":"function","function":{"name":"get_time","parameters":{"type":"object"}}}]""";

        fx.Ollama.Enqueue(OllamaReply.Text("no tools"));
        var (none, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"ollama/llama3.2","messages":[{"role":"user","content":"hi"}],"tools":{{tools}},"tool_choice":"none"}""");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.False(Sent.AsObject().ContainsKey("tools"));

        fx.Ollama.Enqueue(OllamaReply.Text("ok"));
        var (named, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"ollama/llama3.2","messages":[{"role":"user","content":"hi"}],"tools":""" + tools +
            ""","tool_choice":{"type":"function","function":{"name":"get_time"}}}""");
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(["get_time"], Sent["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
        Assert.Contains("only 'get_time' was offered", Wire.Header(named, "X-AbstractCore-Warning"), StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- images

    [Fact]
    public async Task A_data_uri_image_goes_out_as_raw_base64_in_images()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 };
        fx.Ollama.Enqueue(OllamaReply.Text("A tiny image."));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is this?"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/png"))]);

        Assert.Equal("A tiny image.", completion.Content[0].Text);
        var message = Sent["messages"]![0]!;
        Assert.Equal("user", (string?)message["role"]);
        Assert.Equal("What is this?", (string?)message["content"]);
        Assert.Equal([Convert.ToBase64String(png)], message["images"]!.AsArray().Select(i => (string?)i));
    }

    [Fact]
    public async Task An_image_url_on_a_private_address_is_refused_and_nothing_is_fetched_or_sent()
    {
        var before = Chats.Count;
        await using var files = await AbstractCore.TestKit.LoopbackFiles.StartAsync();
        var url = files.Serve("cat.png", AbstractCore.TestKit.Documents.TestDocuments.Png());

        var error = await Assert.ThrowsAsync<ClientResultException>(() => fx.Chat().CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is this?"),
            ChatMessageContentPart.CreateImagePart(new Uri(url)))]));

        Assert.Equal(403, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        Assert.Contains("SSRF protection", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(0, files.Hits);
        Assert.Equal(before, Chats.Count);
    }

    // ---------------------------------------------------------------- reasoning

    public static TheoryData<string, string?, string?> ThinkModes() => new()
    {
        { "\"thinking\":\"off\"", "false", null },
        { "\"thinking\":false", "false", null },
        { "\"thinking\":\"none\"", "false", null },
        { "\"thinking\":\"on\"", "true", null },
        { "\"thinking\":true", "true", null },
        { "\"thinking\":\"low\"", "\"low\"", null },
        { "\"thinking\":\"minimal\"", "\"low\"", null },
        { "\"thinking\":\"medium\"", "\"medium\"", null },
        { "\"thinking\":\"high\"", "\"high\"", null },
        { "\"thinking\":\"xhigh\"", "\"high\"", "thinking 'xhigh' is not an Ollama level; sent think=\"high\"" },
        { "\"reasoning_effort\":\"medium\"", "\"medium\"", null },
        { "\"thinking\":\"auto\"", null, null },
        { "\"thinking\":null", null, null },
    };

    [Theory]
    [MemberData(nameof(ThinkModes))]
    public async Task Think_is_sent_per_mode(string field, string? think, string? warning)
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Text("ok"));
        var before = Chats.Count;

        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"ollama/gpt-oss:20b",{{field}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 1, Chats.Count);
        Assert.Equal(think, SentThink(Chats[^1]));
        Assert.Equal(warning, Wire.Header(response, "X-AbstractCore-Warning"));
    }

    public static TheoryData<string, string, bool, string[]> ThinkDegrades() => new()
    {
        // Only GPT-OSS takes levels: Ollama refuses "medium" for qwen3, which thinks with true instead.
        { "qwen3:8b", "\"medium\"", false, ["\"medium\"", "true"] },
        // A model without thinking refuses think:true: the request goes again without think.
        { "gemma2:2b", "true", false, ["true", null!] },
        { "gemma2:2b", "\"high\"", true, ["\"high\"", "true", null!] },
        // false is accepted by every model.
        { "gemma2:2b", "false", false, ["false"] },
    };

    [Theory]
    [MemberData(nameof(ThinkDegrades))]
    public async Task A_think_value_the_model_cannot_take_degrades_instead_of_failing(string model, string thinking, bool stream, string[] sent)
    {
        fx.Ollama.NonThinkingModels.Add("gemma2:2b");
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Text("Answered anyway."));
        var before = Chats.Count;

        var body = $$"""{"model":"ollama/{{model}}","stream":{{(stream ? "true" : "false")}},"thinking":{{thinking}},"messages":[{"role":"user","content":"hi"}]}""";
        string text;
        if (stream)
        {
            var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("[DONE]", events[^1]);
            text = string.Concat(events.SkipLast(1).Select(e => JsonNode.Parse(e)!["choices"]!.AsArray())
                .Where(c => c.Count > 0).Select(c => (string?)c[0]!["delta"]!["content"]));
        }
        else
        {
            var (response, json) = await Wire.PostAsync(http, "/v1/chat/completions", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = (string)json!["choices"]![0]!["message"]!["content"]!;
        }

        Assert.Equal("Answered anyway.", text);
        Assert.Equal(sent, Chats.Skip(before).Select(SentThink));
    }

    [Fact]
    public async Task Other_ollama_400s_pass_through_with_their_message()
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Error(400, "\"gemma2:2b\" does not support tools"));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"ollama/gemma2:2b","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Provider 'ollama' answered HTTP 400: \"gemma2:2b\" does not support tools", (string?)body!["error"]!["message"]);
    }

    private static string? SentThink(TestKit.RecordedRequest request) =>
        request.Json!.AsObject().TryGetPropertyValue("think", out var think) ? think!.ToJsonString() : null;

    [Fact]
    public async Task Reasoning_sent_back_in_history_goes_out_as_thinking()
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Text("ok"));

        await Wire.PostAsync(http, "/v1/chat/completions", """
            {"model":"ollama/llama3.2","messages":[
              {"role":"user","content":"2+2?"},
              {"role":"assistant","content":"4","reasoning_content":"two and two"},
              {"role":"user","content":"and 3+3?"}]}
            """);

        Assert.Equal("""{"role":"assistant","content":"4","thinking":"two and two"}""", Sent["messages"]![1]!.ToJsonString());
    }

    // ---------------------------------------------------------------- options and format

    [Fact]
    public async Task Sampling_fields_go_into_options()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("ok"));
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK.
        var options = new ChatCompletionOptions
        {
            Temperature = 0.2f,
            TopP = 0.9f,
            MaxOutputTokenCount = 64,
            Seed = 42,
            StopSequences = { "END", "STOP" },
            PresencePenalty = 0.5f,
            FrequencyPenalty = 0.25f,
        };
#pragma warning restore OPENAI001

        await fx.Chat().CompleteChatAsync([new UserChatMessage("hi")], options);

        Assert.Equal(
            """{"temperature":0.2,"top_p":0.9,"num_predict":64,"seed":42,"stop":["END","STOP"],"presence_penalty":0.5,"frequency_penalty":0.25}""",
            Sent["options"]!.ToJsonString());
    }

    [Fact]
    public async Task Max_tokens_top_k_and_keep_alive_are_sent_natively_and_logprobs_warn()
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Text("ok", doneReason: "length"));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"ollama/llama3.2","max_tokens":12,"top_k":40,"stop":"\n\n","keep_alive":"10m","logprobs":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("length", (string?)body!["choices"]![0]!["finish_reason"]);
        Assert.Equal("""{"top_k":40,"num_predict":12,"stop":["\n\n"]}""", Sent["options"]!.ToJsonString());
        Assert.Equal("10m", (string?)Sent["keep_alive"]);
        Assert.Equal("logprobs are not available through Ollama's chat API and were left out", Wire.Header(response, "X-AbstractCore-Warning"));
    }

    [Fact]
    public async Task Response_format_json_object_sends_format_json()
    {
        fx.Ollama.Enqueue(OllamaReply.Text("""{"ok":true}"""));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("json please")],
            new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() });

        Assert.Equal("""{"ok":true}""", completion.Content[0].Text);
        Assert.Equal("\"json\"", Sent["format"]!.ToJsonString());
    }

    [Fact]
    public async Task Response_format_json_schema_sends_the_schema_as_format()
    {
        const string schema = """{"type":"object","properties":{"city":{"type":"string"},"temp":{"type":"number"}},"required":["city","temp"]}""";
        fx.Ollama.Enqueue(OllamaReply.Text("""{"city":"Paris","temp":18}"""));

        await fx.Chat().CompleteChatAsync([new UserChatMessage("weather as json")], new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("weather", BinaryData.FromString(schema)),
        });

        Assert.Equal(schema, Sent["format"]!.ToJsonString());
    }

    // ---------------------------------------------------------------- errors

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Model_not_found_is_a_404_with_ollamas_message(bool stream)
    {
        using var http = fx.Http();
        const string message = "model \"llama3.2\" not found, try pulling it first";
        fx.Ollama.Enqueue(OllamaReply.Error(404, message));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"ollama/llama3.2","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Provider 'ollama' answered HTTP 404: " + message, (string?)body!["error"]!["message"]);
        Assert.Equal("not_found_error", (string?)body["error"]!["type"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_ollama_500_is_a_502_with_its_message(bool stream)
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Error(500, "llama runner process has terminated: signal: killed"));

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"ollama/llama3.2","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("Provider 'ollama' failed (HTTP 500): llama runner process has terminated: signal: killed", (string?)body!["error"]!["message"]);
        Assert.Equal("upstream_error", (string?)body["error"]!["type"]);
    }

    [Fact]
    public async Task A_hanging_ollama_is_a_504_after_timeout_s_and_the_upstream_call_is_cancelled()
    {
        using var http = fx.Http();
        fx.Ollama.Enqueue(OllamaReply.Hang());

        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
            """{"model":"ollama/llama3.2","timeout_s":0.5,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream_timeout", (string?)body!["error"]!["code"]);
        Assert.True(await fx.Ollama.WaitForCancellationAsync(TimeSpan.FromSeconds(10)));
    }

    // ---------------------------------------------------------------- models

    [Fact]
    public async Task Ollama_models_are_listed_from_api_tags_as_ollama_slash_name()
    {
        fx.Ollama.Models.Clear();
        fx.Ollama.Models.AddRange(["llama3.2:latest", "qwen3:8b", "hf.co/org/model:Q4_K_M"]);
        using var http = fx.Http();

        var body = JsonNode.Parse(await http.GetStringAsync("/ollama/v1/models"))!;

        Assert.Equal("list", (string?)body["object"]);
        var models = body["data"]!.AsArray();
        Assert.Equal(["ollama/llama3.2:latest", "ollama/qwen3:8b", "ollama/hf.co/org/model:Q4_K_M"], models.Select(m => (string?)m!["id"]));
        Assert.All(models, m =>
        {
            Assert.Equal("model", (string?)m!["object"]);
            Assert.Equal("ollama", (string?)m["owned_by"]);
            Assert.Equal(new DateTimeOffset(2025, 5, 4, 8, 11, 12, TimeSpan.Zero).ToUnixTimeSeconds(), (long)m["created"]!);
        });
        Assert.Equal("/api/tags", fx.Ollama.Requests[^1].Path);
    }

    // ---------------------------------------------------------------- helpers

}

/// <summary>Settings that point the gateway at Ollama in other ways than a plain <c>OLLAMA_BASE_URL</c>.</summary>
public sealed class OllamaSettingsTests
{
    [Fact]
    public async Task The_legacy_OLLAMA_HOST_host_and_port_form_is_honoured()
    {
        await using var ollama = await FakeOllamaUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = OllamaFixture.Token,
            ["OLLAMA_HOST"] = ollama.HostAndPort,
        });
        ollama.Enqueue(OllamaReply.Text("Hello over OLLAMA_HOST."));

        ChatCompletion completion = await OllamaFixture.Chat(gateway).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("Hello over OLLAMA_HOST.", completion.Content[0].Text);
        Assert.Equal("/api/chat", ollama.LastChatRequest.Path);
    }

    [Fact]
    public async Task A_base_url_copied_from_the_openai_compatible_endpoint_still_reaches_the_native_api()
    {
        await using var ollama = await FakeOllamaUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = OllamaFixture.Token,
            ["OLLAMA_BASE_URL"] = ollama.BaseUrl + "/v1",
        });
        ollama.Enqueue(OllamaReply.Text("Native anyway."));

        ChatCompletion completion = await OllamaFixture.Chat(gateway).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("Native anyway.", completion.Content[0].Text);
        Assert.Equal("/api/chat", ollama.LastChatRequest.Path);
    }
}
