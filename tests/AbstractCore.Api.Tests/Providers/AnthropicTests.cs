using System.ClientModel;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using static AbstractCore.Api.Tests.Chat.ChatTools;

namespace AbstractCore.Api.Tests.Providers;

/// <summary>
/// <c>anthropic/*</c> through the gateway to a fake that speaks Anthropic's Messages API: what the client sends in the
/// OpenAI shape reaches Anthropic in its own shape, and Anthropic's answers, streams and errors come back as OpenAI's.
/// What Ollama must do alike (streamed text, tool calls, reasoning, errors mid-stream) is in <see cref="TranslatedProviderTests"/>.
/// </summary>
public sealed class AnthropicTests(AnthropicFixture fx) : IClassFixture<AnthropicFixture>
{
    private const string Chat = "/v1/chat/completions";

    private JsonNode Sent => fx.Upstream.LastMessagesRequest.Json!;

    // ---- text ----

    [Fact]
    public async Task Plain_text_round_trips_with_sampling_fields_in_anthropic_shape()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("Paris is the capital."));

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("Capital of France?")],
            new ChatCompletionOptions { Temperature = 0.2f, TopP = 0.9f, MaxOutputTokenCount = 50, StopSequences = { "END" } });

        Assert.Equal("Paris is the capital.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(AnthropicFixture.Model, completion.Model);
        Assert.StartsWith("msg_fake", completion.Id, StringComparison.Ordinal);
        Assert.Equal(21, completion.Usage.InputTokenCount);
        Assert.Equal(9, completion.Usage.OutputTokenCount);
        Assert.Equal(30, completion.Usage.TotalTokenCount);

        var sent = Sent;
        Assert.Equal("claude-test", (string?)sent["model"]);
        Assert.Equal(50, (int)sent["max_tokens"]!);
        Assert.Equal(0.2, (double)sent["temperature"]!);
        Assert.Equal(0.9, (double)sent["top_p"]!);
        Assert.Equal("""["END"]""", sent["stop_sequences"]!.ToJsonString());
        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"Capital of France?"}]}]""", sent["messages"]!.ToJsonString());
        foreach (var absent in (string[])["system", "thinking", "tools", "tool_choice", "stream", "top_k"])
        {
            Assert.False(sent.AsObject().ContainsKey(absent), absent);
        }
    }

    [Fact]
    public async Task Prompt_cache_tokens_count_as_prompt_tokens_and_reads_as_cached()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("ok") with { InputTokens = 20, CacheCreationInputTokens = 4, CacheReadInputTokens = 100, OutputTokens = 3 });

        ChatCompletion completion = await fx.Chat().CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal(124, completion.Usage.InputTokenCount);
        Assert.Equal(100, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(127, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task System_and_developer_messages_become_the_top_level_system_in_order()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat, """
            {"model":"anthropic/claude-test","messages":[
              {"role":"system","content":"Be brief."},
              {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
              {"role":"user","content":"Hi"}]}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Be brief.\n\nAnswer in French.", (string?)Sent["system"]);
        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""", Sent["messages"]!.ToJsonString());
    }

    [Theory]
    [InlineData("", 4096)]
    [InlineData(""","max_tokens":300""", 300)]
    [InlineData(""","max_completion_tokens":77,"max_tokens":300""", 77)]
    public async Task Max_tokens_is_always_sent_with_a_default_when_the_client_gives_none(string field, int expected)
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            $$$"""{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}]{{{field}}}}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(expected, (int)Sent["max_tokens"]!);
    }

    [Fact]
    public async Task The_provider_path_routes_to_anthropic()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(AnthropicReply.Text("via path"));
        var (response, body) = await Wire.PostAsync(http, "/anthropic/v1/chat/completions",
            """{"model":"claude-test","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("via path", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("anthropic/claude-test", (string?)body["model"]);
        Assert.Equal("claude-test", (string?)Sent["model"]);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    public async Task Stop_reasons_become_finish_reasons_plain_and_streamed(string stopReason, string finishReason)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(AnthropicReply.Text("x", stopReason));
        var (_, body) = await Wire.PostAsync(http, Chat, """{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(finishReason, (string?)body!["choices"]![0]!["finish_reason"]);

        fx.Upstream.Enqueue(AnthropicReply.Text("x", stopReason));
        var (_, events) = await Wire.StreamAsync(http, Chat,
            """{"model":"anthropic/claude-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var finishes = Chunks(events).Select(c => (string?)c["choices"]![0]!["finish_reason"]).Where(f => f is not null).ToList();
        Assert.Equal([finishReason], finishes);
        Assert.Equal("[DONE]", events[^1]);
    }

    [Fact]
    public async Task Seed_and_penalties_are_dropped_with_a_warning()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            """{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}],"seed":7,"presence_penalty":0.5}""");

        Assert.Equal(200, (int)response.StatusCode);
        var warning = Wire.Header(response, "X-AbstractCore-Warning");
        Assert.NotNull(warning);
        Assert.Contains("seed is not supported by Anthropic and was ignored", warning, StringComparison.Ordinal);
        Assert.Contains("presence_penalty and frequency_penalty are not supported by Anthropic", warning, StringComparison.Ordinal);
        Assert.False(Sent.AsObject().ContainsKey("seed"));
        Assert.False(Sent.AsObject().ContainsKey("presence_penalty"));
    }

    // ---- tools ----

    [Fact]
    public async Task Tool_results_go_back_as_tool_result_blocks_answering_tool_use_blocks_with_the_same_ids()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("Paris 18C, Oslo 9C."));
        List<ChatMessage> history =
        [
            new UserChatMessage("Weather in Paris and Oslo?"),
            new AssistantChatMessage([
                ChatToolCall.CreateFunctionToolCall("toolu_a", "get_weather", BinaryData.FromString("""{"city":"Paris"}""")),
                ChatToolCall.CreateFunctionToolCall("toolu_b", "get_weather", BinaryData.FromString("""{"city":"Oslo"}""")),
            ]),
            new ToolChatMessage("toolu_a", "18C"),
            new ToolChatMessage("toolu_b", "9C"),
        ];

        ChatCompletion completion = await fx.Chat().CompleteChatAsync(history, new ChatCompletionOptions { Tools = { Weather } });

        Assert.Equal("Paris 18C, Oslo 9C.", completion.Content[0].Text);
        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"Weather in Paris and Oslo?"}]},""" +
            """{"role":"assistant","content":[{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{"city":"Paris"}},""" +
            """{"type":"tool_use","id":"toolu_b","name":"get_weather","input":{"city":"Oslo"}}]},""" +
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"18C"},""" +
            """{"type":"tool_result","tool_use_id":"toolu_b","content":"9C"}]}]""",
            Sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task Assistant_text_and_a_following_user_message_keep_their_places_around_tool_blocks()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat, """
            {"model":"anthropic/claude-test","messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"toolu_x","type":"function","function":{"name":"get_time","arguments":"not json"}}]},
              {"role":"tool","tool_call_id":"toolu_x","content":"noon"},
              {"role":"user","content":"And tomorrow?"}]}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"go"}]},""" +
            """{"role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_x","name":"get_time","input":{"_raw_arguments":"not json"}}]},""" +
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"noon"},{"type":"text","text":"And tomorrow?"}]}]""",
            Sent["messages"]!.ToJsonString());
    }

    public static TheoryData<string, string> ToolChoices() => new()
    {
        { "\"tool_choice\":\"auto\"", """{"type":"auto"}""" },
        { "\"tool_choice\":\"required\"", """{"type":"any"}""" },
        { "\"tool_choice\":\"none\"", """{"type":"none"}""" },
        { "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}", """{"type":"tool","name":"get_time"}""" },
        { "\"tool_choice\":\"auto\",\"parallel_tool_calls\":false", """{"type":"auto","disable_parallel_tool_use":true}""" },
        { "\"tool_choice\":\"required\",\"parallel_tool_calls\":false", """{"type":"any","disable_parallel_tool_use":true}""" },
        { "\"parallel_tool_calls\":false", """{"type":"auto","disable_parallel_tool_use":true}""" },
    };

    [Theory]
    [MemberData(nameof(ToolChoices))]
    public async Task Tool_choice_is_mapped(string fields, string expected)
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            """{"model":"anthropic/claude-test","messages":[{"role":"user","content":"t"}],"tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}],""" +
            fields + "}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(expected, Sent["tool_choice"]!.ToJsonString());
    }

    // ---- structured output ----

    [Fact]
    public async Task A_json_schema_answer_is_a_forced_tool_whose_input_becomes_the_content_plain_and_streamed()
    {
        const string request = """
            {"model":"anthropic/claude-test","messages":[{"role":"user","content":"Capital of France as JSON"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"city info","schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}
            """;
        using var http = fx.Http();

        fx.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_j", "city_info", """{"city":"Paris"}""")));
        var (_, body) = await Wire.PostAsync(http, Chat, request + "}");
        var choice = body!["choices"]![0]!;
        Assert.Equal("""{"city":"Paris"}""", (string?)choice["message"]!["content"]);
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal("stop", (string?)choice["finish_reason"]);
        Assert.Equal("city_info", (string?)Sent["tools"]![0]!["name"]);
        Assert.Equal("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""", Sent["tools"]![0]!["input_schema"]!.ToJsonString());
        Assert.Equal("""{"type":"tool","name":"city_info"}""", Sent["tool_choice"]!.ToJsonString());

        fx.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_j", "city_info", """{"city":"Paris"}""")));
        var (_, events) = await Wire.StreamAsync(http, Chat, request + ""","stream":true}""");
        var chunks = Chunks(events);
        Assert.Equal("""{"city":"Paris"}""", string.Concat(chunks.Select(c => (string?)c["choices"]?[0]?["delta"]?["content"])));
        Assert.DoesNotContain(chunks, c => c["choices"]?[0]?["delta"]?["tool_calls"] is not null);
        Assert.Equal("stop", chunks.Select(c => (string?)c["choices"]?[0]?["finish_reason"]).Single(f => f is not null));
    }

    [Fact]
    public async Task A_json_object_answer_is_asked_for_in_the_system_prompt()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            """{"model":"anthropic/claude-test","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Be brief.\n\nRespond with a single valid JSON object and no other text.", (string?)Sent["system"]);
        Assert.False(Sent.AsObject().ContainsKey("tools"));
    }

    // ---- images ----

    [Fact]
    public async Task Images_become_base64_image_blocks_of_the_type_their_bytes_say()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 };
        fx.Upstream.Enqueue(AnthropicReply.Text("An image."));

        await fx.Chat().CompleteChatAsync([new UserChatMessage(
            ChatMessageContentPart.CreateTextPart("What is this?"),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(png), "image/jpeg"))]);

        Assert.Equal(
            """[{"role":"user","content":[{"type":"text","text":"What is this?"},""" +
            $$$"""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}}]}]""",
            Sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task Audio_input_is_refused_with_400_before_anything_is_sent()
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var (response, body) = await Wire.PostAsync(http, Chat,
            """{"model":"anthropic/claude-test","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}""");

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("unsupported_content", (string?)body!["error"]!["code"]);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    // ---- reasoning ----

    [Theory]
    [InlineData("\"thinking\":\"low\"", 1024)]
    [InlineData("\"thinking\":\"minimal\"", 1024)]
    [InlineData("\"thinking\":\"medium\"", 4096)]
    [InlineData("\"thinking\":true", 8192)]
    [InlineData("\"thinking\":\"high\"", 16384)]
    [InlineData("\"thinking\":\"xhigh\"", 32000)]
    [InlineData("\"reasoning_effort\":\"medium\"", 4096)]
    [InlineData("\"thinking\":\"off\"", 0)]
    [InlineData("\"thinking\":\"auto\"", 0)]
    [InlineData("\"thinking\":null", 0)]
    public async Task Thinking_levels_become_budgets(string field, int budget)
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            $$$"""{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}],{{{field}}}}""");

        Assert.Equal(200, (int)response.StatusCode);
        if (budget == 0)
        {
            Assert.False(Sent.AsObject().ContainsKey("thinking"));
            Assert.Equal(4096, (int)Sent["max_tokens"]!);
        }
        else
        {
            Assert.Equal(budget, (int)Sent["thinking"]!["budget_tokens"]!);
            Assert.Equal(budget + 4096, (int)Sent["max_tokens"]!);
        }
    }

    [Fact]
    public async Task A_max_tokens_within_the_thinking_budget_is_raised_above_it_with_a_warning()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat,
            """{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}],"thinking":"low","max_tokens":500}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(1524, (int)Sent["max_tokens"]!);
        Assert.Equal(1024, (int)Sent["thinking"]!["budget_tokens"]!);
        Assert.Contains("max_tokens 500 does not leave room above the thinking budget of 1024 tokens: sent as 1524",
            Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thinking_is_turned_off_with_a_warning_on_a_tool_result_turn()
    {
        using var http = fx.Http();
        var (response, _) = await Wire.PostAsync(http, Chat, """
            {"model":"anthropic/claude-test","thinking":"high","messages":[
              {"role":"user","content":"time?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_t","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"toolu_t","content":"noon"}],
             "tools":[{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}]}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(Sent.AsObject().ContainsKey("thinking"));
        Assert.Contains("thinking was turned off for this tool-result turn", Wire.Header(response, "X-AbstractCore-Warning"), StringComparison.Ordinal);
    }

    // ---- headers and models ----

    [Fact]
    public async Task Requests_carry_x_api_key_and_anthropic_version_and_no_authorization()
    {
        fx.Upstream.Enqueue(AnthropicReply.Text("ok"));
        await fx.Chat().CompleteChatAsync([new UserChatMessage("hi")]);

        var headers = fx.Upstream.LastMessagesRequest.Headers;
        Assert.Equal(AnthropicFixture.ApiKey, headers["x-api-key"]);
        Assert.Equal("2023-06-01", headers["anthropic-version"]);
        Assert.Equal("application/json", headers["content-type"]);
        Assert.False(headers.ContainsKey("Authorization"));
        Assert.Equal("/v1/messages", fx.Upstream.LastMessagesRequest.Path);
    }

    [Fact]
    public async Task A_per_request_provider_key_replaces_the_server_key()
    {
        using var http = fx.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, Chat)
        {
            Content = Wire.Json("""{"model":"anthropic/claude-test","messages":[{"role":"user","content":"hi"}]}"""),
        };
        request.Headers.Add("X-AbstractCore-Provider-API-Key", "sk-ant-from-client");
        using var response = await http.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("sk-ant-from-client", fx.Upstream.LastMessagesRequest.Headers["x-api-key"]);
        Assert.False(fx.Upstream.LastMessagesRequest.Headers.ContainsKey("Authorization"));
    }

    [Theory]
    [InlineData("/v1/models?provider=anthropic", 1000)]
    [InlineData("/anthropic/v1/models", 1000)]
    [InlineData("/anthropic/v1/models", 1)]
    public async Task Models_are_listed_as_anthropic_slash_id_across_pages(string path, int pageSize)
    {
        fx.Upstream.Models.Clear();
        fx.Upstream.Models.AddRange(["claude-test", "claude-other", "claude-third"]);
        fx.Upstream.ModelsPageSize = pageSize;
        try
        {
            using var http = fx.Http();
            var body = JsonNode.Parse(await http.GetStringAsync(path))!;

            Assert.Equal(["anthropic/claude-test", "anthropic/claude-other", "anthropic/claude-third"],
                body["data"]!.AsArray().Select(m => (string?)m!["id"]));
            Assert.All(body["data"]!.AsArray(), m => Assert.Equal("anthropic", (string?)m!["owned_by"]));
            Assert.Equal(1739923200, (long)body["data"]![0]!["created"]!);
            var list = fx.Upstream.Requests.Last(r => r.Path == "/v1/models");
            Assert.Equal(AnthropicFixture.ApiKey, list.Headers["x-api-key"]);
            Assert.Equal("2023-06-01", list.Headers["anthropic-version"]);
        }
        finally
        {
            fx.Upstream.ModelsPageSize = 1000;
            fx.Upstream.Models.Clear();
            fx.Upstream.Models.Add("claude-test");
        }
    }

    // ---- errors ----

    public static TheoryData<int, string, int, bool> Errors() => new()
    {
        { 400, "invalid_request_error", 400, false }, { 400, "invalid_request_error", 400, true },
        { 401, "authentication_error", 401, false }, { 401, "authentication_error", 401, true },
        { 403, "permission_error", 403, false }, { 404, "not_found_error", 404, false },
        { 529, "overloaded_error", 502, false }, { 529, "overloaded_error", 502, true },
        { 500, "api_error", 502, false },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task Anthropic_errors_become_the_openai_envelope_with_the_right_status(int upstream, string type, int expected, bool stream)
    {
        fx.Upstream.Enqueue(AnthropicReply.Error(upstream, type, $"anthropic says {type}"));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Call(stream));

        Assert.Equal(expected, error.Status);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        if (expected == 502)
        {
            Assert.Equal("upstream_error", (string?)body["error"]!["type"]);
            Assert.Equal($"Provider 'anthropic' failed (HTTP {upstream}): anthropic says {type}", (string?)body["error"]!["message"]);
        }
        else
        {
            Assert.Equal(type, (string?)body["error"]!["type"]);
            Assert.Equal($"Provider 'anthropic' answered HTTP {upstream}: anthropic says {type}", (string?)body["error"]!["message"]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rate_limits_keep_429_and_retry_after(bool stream)
    {
        fx.Upstream.Enqueue(AnthropicReply.Error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
            new Dictionary<string, string> { ["retry-after"] = "17" }));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Call(stream));

        Assert.Equal(429, error.Status);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("17", retryAfter);
        var body = JsonNode.Parse(error.GetRawResponse()!.Content.ToString())!;
        Assert.Equal("rate_limit_error", (string?)body["error"]!["type"]);
        Assert.Equal("Provider 'anthropic' answered HTTP 429: Number of request tokens has exceeded your per-minute rate limit", (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task A_stream_that_ends_before_message_stop_is_an_in_band_error()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(AnthropicReply.Raw(200, "text/event-stream",
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_cut\",\"model\":\"claude-test\",\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"cut\"}}\n\n"));

        var (_, events) = await Wire.StreamAsync(http, Chat,
            """{"model":"anthropic/claude-test","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.DoesNotContain("[DONE]", events);
        var last = JsonNode.Parse(events[^1])!;
        Assert.Equal("upstream_disconnected", (string?)last["error"]!["code"]);
        Assert.Equal("msg_cut", (string?)JsonNode.Parse(events[0])!["id"]);
    }

    // ---- helpers ----

    private async Task Call(bool stream)
    {
        var chat = fx.Chat();
        if (stream)
        {
            await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
            }
        }
        else
        {
            await chat.CompleteChatAsync([new UserChatMessage("hi")]);
        }
    }

    private static List<JsonNode> Chunks(List<string> events) =>
        [.. events.Where(e => e != "[DONE]").Select(e => JsonNode.Parse(e)!)];
}
