using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// <c>/v1/responses</c> through the gateway to the fake OpenAI-compatible upstream, with the official OpenAI .NET SDK's
/// Responses client, or raw HTTP where the SDK hides the wire (event names, sequence numbers, exact fields).
/// </summary>
public sealed class ResponsesTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string Model = GatewayFixture.Model;

    private ResponsesClient Client => ResponsesClients.For(fx.Gateway);

    private JsonNode Sent => fx.Upstream.LastChatRequest.Json!;

    [Fact]
    public async Task A_plain_response_comes_back_as_a_response_object_and_the_upstream_gets_a_chat_request()
    {
        fx.Upstream.Enqueue(FakeReply.Text("Paris is the capital."));

        ResponseResult result = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France?") },
            MaxOutputTokenCount = 50,
            Temperature = 0.2f,
        });

        Assert.Equal("Paris is the capital.", result.GetOutputText());
        Assert.StartsWith("resp_", result.Id, StringComparison.Ordinal);
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(Model, result.Model);
        Assert.Equal(11, result.Usage.InputTokenCount);
        Assert.Equal(7, result.Usage.OutputTokenCount);
        Assert.Equal(18, result.Usage.TotalTokenCount);

        var sent = Sent;
        Assert.Equal("fake-model", (string?)sent["model"]);
        Assert.Equal(50, (int)sent["max_tokens"]!);
        Assert.Equal(0.2, (double)sent["temperature"]!, 3);
        Assert.Equal("""[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}]""", sent["messages"]!.ToJsonString());
        foreach (var absent in (string[])["input", "instructions", "store", "max_output_tokens", "text", "previous_response_id"])
        {
            Assert.False(sent.AsObject().ContainsKey(absent), absent);
        }
    }

    [Fact]
    public async Task A_string_input_gives_the_exact_response_shape_on_the_wire()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("Hi there"));

        var (response, body) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"openai-compatible/fake-model","input":"hello","metadata":{"k":"v"},"prompt_cache_key":"pc1","unknown_field":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response", (string?)body!["object"]);
        Assert.Equal("completed", (string?)body["status"]);
        Assert.Null(body["error"]);
        Assert.Null(body["incomplete_details"]);
        Assert.Equal("v", (string?)body["metadata"]!["k"]);
        Assert.Equal("pc1", (string?)body["prompt_cache_key"]);
        var item = body["output"]![0]!;
        Assert.Equal("message", (string?)item["type"]);
        Assert.Equal("assistant", (string?)item["role"]);
        Assert.Equal("completed", (string?)item["status"]);
        Assert.StartsWith("msg_", (string?)item["id"], StringComparison.Ordinal);
        Assert.Equal("""[{"type":"output_text","text":"Hi there","annotations":[],"logprobs":[]}]""", item["content"]!.ToJsonString());
        Assert.Equal(18, (int)body["usage"]!["total_tokens"]!);
        Assert.Equal("""[{"role":"user","content":"hello"}]""", Sent["messages"]!.ToJsonString());
        Assert.Equal("pc1", (string?)Sent["prompt_cache_key"]);
        Assert.False(Sent.AsObject().ContainsKey("metadata"));
    }

    [Fact]
    public async Task A_streamed_response_arrives_as_text_deltas_then_completed_with_the_sdk()
    {
        fx.Upstream.Enqueue(FakeReply.Text("one two three four"));

        var (deltas, sequence, completed) = await ResponsesClients.StreamTextAsync(Client, new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("count") },
            StreamingEnabled = true,
        });

        Assert.Equal("one two three four", string.Concat(deltas));
        Assert.True(deltas.Count > 1);
        Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
        Assert.NotNull(completed);
        Assert.Equal("one two three four", completed.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        Assert.True((bool)Sent["stream"]!);
    }

    [Fact]
    public async Task A_streamed_response_on_the_wire_has_event_lines_increasing_sequence_numbers_and_the_event_order()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("Hello world"));

        var (response, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"openai-compatible/fake-model","input":"hi","stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[i].Event, (string?)events[i].Data["type"]);
            Assert.Equal(i, (int)events[i].Data["sequence_number"]!);
        }

        var types = events.Select(e => e.Event!).Distinct().ToList();
        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed",
        ], types);
        Assert.Equal("in_progress", (string?)events[0].Data["response"]!["status"]);
        Assert.Equal("Hello world", string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.Equal("Hello world", (string?)events.Single(e => e.Event == "response.output_text.done").Data["text"]);
        var final = events[^1].Data["response"]!;
        Assert.Equal("completed", (string?)final["status"]);
        Assert.Equal("Hello world", (string?)final["output"]![0]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task Reasoning_from_the_upstream_streams_as_reasoning_summary_events_before_the_text()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("42", reasoning: "Let me think."));

        var (_, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"openai-compatible/fake-model","input":"answer?","stream":true,"reasoning":{"effort":"low"}}""");

        var types = events.Select(e => e.Event!).ToList();
        var reasoningDone = types.IndexOf("response.reasoning_summary_text.done");
        Assert.True(types.IndexOf("response.reasoning_summary_part.added") > 0);
        Assert.True(reasoningDone < types.IndexOf("response.output_text.delta"));
        Assert.Equal("Let me think.", (string?)events[reasoningDone].Data["text"]);
        var output = events[^1].Data["response"]!["output"]!.AsArray();
        Assert.Equal("reasoning", (string?)output[0]!["type"]);
        Assert.Equal("Let me think.", (string?)output[0]!["summary"]![0]!["text"]);
        Assert.Equal("message", (string?)output[1]!["type"]);
        Assert.Equal("low", (string?)Sent["reasoning_effort"]);
    }

    [Fact]
    public async Task A_streamed_function_call_has_argument_events_and_a_function_call_item()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_s1", "get_weather", """{"city":"Oslo"}""")));

        var (_, events) = await ResponsesClients.StreamAsync(http, """
            {"model":"openai-compatible/fake-model","input":"weather?","stream":true,
             "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}
            """);

        var types = events.Select(e => e.Event).ToList();
        Assert.Contains("response.function_call_arguments.delta", types);
        var done = events.Single(e => e.Event == "response.function_call_arguments.done").Data;
        Assert.Equal("""{"city":"Oslo"}""", (string?)done["arguments"]);
        var item = events.Last(e => e.Event == "response.output_item.done").Data["item"]!;
        Assert.Equal("function_call", (string?)item["type"]);
        Assert.Equal("call_s1", (string?)item["call_id"]);
        Assert.Equal("response.completed", types[^1]);
    }

    [Fact]
    public async Task Previous_response_id_continues_the_conversation()
    {
        fx.Upstream.Enqueue(FakeReply.Text("Paris."));
        ResponseResult first = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            Instructions = "Be brief.",
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France?") },
        });

        fx.Upstream.Enqueue(FakeReply.Text("About 2 million."));
        ResponseResult second = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateUserMessageItem("Population?") },
        });

        Assert.Equal("About 2 million.", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);
        Assert.Equal(
            """[{"role":"user","content":"Capital of France?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"Population?"}]""",
            Sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task A_json_schema_text_format_becomes_a_chat_response_format()
    {
        fx.Upstream.Enqueue(FakeReply.Text("""{"city":"Paris"}"""));

        ResponseResult result = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("Capital of France as JSON") },
            TextOptions = new ResponseTextOptions
            {
                TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("capital",
                    BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), null, true),
            },
        });

        Assert.Equal("""{"city":"Paris"}""", result.GetOutputText());
        var format = Sent["response_format"]!;
        Assert.Equal("json_schema", (string?)format["type"]);
        Assert.Equal("capital", (string?)format["json_schema"]!["name"]);
        Assert.True((bool)format["json_schema"]!["strict"]!);
        Assert.Equal("city", (string?)format["json_schema"]!["schema"]!["required"]![0]);
    }

    [Fact]
    public async Task A_stored_response_can_be_read_and_deleted_by_id_and_then_is_gone()
    {
        fx.Upstream.Enqueue(FakeReply.Text("kept"));
        ResponseResult created = await Client.CreateResponseAsync(new CreateResponseOptions
        {
            Model = Model,
            InputItems = { ResponseItem.CreateUserMessageItem("keep this") },
        });

        ResponseResult fetched = await Client.GetResponseAsync(created.Id);
        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal("kept", fetched.GetOutputText());

        ResponseDeletionResult deleted = await Client.DeleteResponseAsync(created.Id);
        Assert.True(deleted.Deleted);
        Assert.Equal(created.Id, deleted.ResponseId);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client.GetResponseAsync(created.Id));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Unknown_ids_are_404_for_get_delete_and_previous_response_id()
    {
        using var http = fx.Http();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/responses/resp_nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/v1/responses/resp_nope")).StatusCode);

        var (response, body) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"openai-compatible/fake-model","input":"x","previous_response_id":"resp_nope"}""");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("previous_response_id", (string?)body!["error"]!["param"]);
    }

    [Fact]
    public async Task Store_false_keeps_nothing()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("not kept"));
        var (_, body) = await Wire.PostAsync(http, "/v1/responses", """{"model":"openai-compatible/fake-model","input":"x","store":false}""");
        Assert.False((bool)body!["store"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/v1/responses/{(string?)body["id"]}")).StatusCode);
    }

    [Fact]
    public async Task A_length_cut_is_incomplete_with_max_output_tokens()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("cut sh", finishReason: "length"));
        var (_, body) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"openai-compatible/fake-model","input":"long story","max_output_tokens":3}""");
        Assert.Equal("incomplete", (string?)body!["status"]);
        Assert.Equal("max_output_tokens", (string?)body["incomplete_details"]!["reason"]);
        Assert.Equal(3, (int)Sent["max_tokens"]!);

        fx.Upstream.Enqueue(FakeReply.Text("cut sh", finishReason: "length"));
        var (_, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"openai-compatible/fake-model","input":"long story","max_tokens":3,"stream":true}""");
        Assert.Equal("response.incomplete", events[^1].Event);
    }

    [Fact]
    public async Task Web_search_tools_become_functions_and_a_namespace_is_flattened()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        var (response, _) = await Wire.PostAsync(http, "/v1/responses", """
            {"model":"openai-compatible/fake-model","input":"x","tool_choice":{"type":"web_search_preview"},
             "tools":[{"type":"web_search_preview"},{"type":"web_search_2025_08_26"},
                      {"type":"namespace","name":"mcp","tools":[{"type":"function","name":"mcp__read","parameters":{"type":"object"}}]},
                      {"type":"function","function":{"name":"nested","parameters":{"type":"object"}}}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tools = Sent["tools"]!.AsArray();
        Assert.Equal(["web_search_preview", "web_search_2025_08_26", "mcp__read", "nested"], tools.Select(t => (string?)t!["function"]!["name"]));
        Assert.Equal("query", (string?)tools[0]!["function"]!["parameters"]!["required"]![0]);
        Assert.Equal("""{"type":"function","function":{"name":"web_search_preview"}}""", Sent["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public async Task Input_items_in_codex_shape_become_chat_messages()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        var (response, _) = await Wire.PostAsync(http, "/v1/responses", """
            {"model":"openai-compatible/fake-model","store":false,"include":["reasoning.encrypted_content"],"truncation":"auto",
             "tool_choice":"auto","conversation":"conv_1","max_tool_calls":3,
             "input":[
               {"role":"developer","content":[{"type":"input_text","text":"Rules."}]},
               {"type":"message","role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},
               {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"xyz"},
               {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]},
               {"role":"user","content":[{"type":"input_text","text":"Look"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="}]}
             ]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = Sent["messages"]!.AsArray();
        Assert.Equal(
            """[{"role":"developer","content":"Rules."},{"role":"user","content":"a\nb"},{"role":"assistant","content":"Done."}]""",
            new JsonArray([.. messages.Take(3).Select(m => m!.DeepClone())]).ToJsonString());
        Assert.Equal("image_url", (string?)messages[3]!["content"]![1]!["type"]);
        Assert.Equal("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", (string?)messages[3]!["content"]![1]!["image_url"]!["url"]);
        Assert.Equal("auto", (string?)Sent["tool_choice"]);
        foreach (var absent in (string[])["include", "truncation", "conversation", "max_tool_calls", "store"])
        {
            Assert.False(Sent.AsObject().ContainsKey(absent), absent);
        }
    }

    [Fact]
    public async Task A_custom_freeform_tool_is_offered_as_a_function_and_its_call_comes_back_as_a_custom_tool_call()
    {
        using var http = fx.Http();
        const string Tools = """
            [{"type":"custom","name":"apply_patch","description":"Apply a patch.","format":{"type":"grammar","syntax":"lark","definition":"start: PATCH"}}]
            """;
        fx.Upstream.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_p1", "apply_patch", """{"input":"*** Begin Patch\n*** End Patch"}""")));
        var (_, body) = await Wire.PostAsync(http, "/v1/responses",
            $$$"""{"model":"openai-compatible/fake-model","input":"patch it","tools":{{{Tools}}},"tool_choice":{"type":"custom","name":"apply_patch"}}""");

        var function = Sent["tools"]![0]!["function"]!;
        Assert.Equal("apply_patch", (string?)function["name"]);
        Assert.Contains("start: PATCH", (string?)function["description"], StringComparison.Ordinal);
        Assert.Equal("input", (string?)function["parameters"]!["required"]![0]);
        Assert.Equal("apply_patch", (string?)Sent["tool_choice"]!["function"]!["name"]);
        var item = body!["output"]![0]!;
        Assert.Equal("custom_tool_call", (string?)item["type"]);
        Assert.Equal("call_p1", (string?)item["call_id"]);
        Assert.Equal("*** Begin Patch\n*** End Patch", (string?)item["input"]);
        Assert.Equal("custom", (string?)body["tool_choice"]!["type"]);

        fx.Upstream.Enqueue(FakeReply.Text("patched"));
        var (response, _) = await Wire.PostAsync(http, "/v1/responses",
            $$"""{"model":"openai-compatible/fake-model","previous_response_id":"{{(string?)body["id"]}}","tools":{{Tools}},"input":[{"type":"custom_tool_call_output","call_id":"call_p1","output":"Done!"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var messages = Sent["messages"]!.AsArray();
        Assert.Equal("""{"input":"*** Begin Patch\n*** End Patch"}""", (string?)messages[1]!["tool_calls"]![0]!["function"]!["arguments"]);
        Assert.Equal("call_p1", (string?)messages[2]!["tool_call_id"]);
        Assert.Equal("Done!", (string?)messages[2]!["content"]);
    }

    [Fact]
    public async Task The_provider_can_be_chosen_by_the_path()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("via path"));
        var (response, body) = await Wire.PostAsync(http, "/openai-compatible/v1/responses", """{"model":"fake-model","input":"x"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("via path", (string?)body!["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal("fake-model", (string?)Sent["model"]);
    }

    [Fact]
    public async Task The_endpoints_are_documented_with_an_executable_example()
    {
        using var http = fx.Gateway.CreateClient();
        var paths = JsonNode.Parse(await http.GetStringAsync("/openapi.json"))!["paths"]!;
        var example = paths["/v1/responses"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.Equal("openai/gpt-4o-mini", (string?)example["model"]);
        Assert.NotNull(paths["/v1/responses/{id}"]!["get"]);
        Assert.NotNull(paths["/v1/responses/{id}"]!["delete"]);
    }

    [Fact]
    public async Task A_body_with_messages_and_no_input_is_served_by_the_chat_path()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("legacy"));
        var (response, body) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat.completion", (string?)body!["object"]);
        Assert.Equal("legacy", (string?)body["choices"]![0]!["message"]!["content"]);
    }

    [Theory]
    [InlineData("""{"input":"hi"}""", "model", "'model' is required")]
    [InlineData("""{"model":"openai-compatible/fake-model"}""", "input", "'input' is required")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":42}""", "input", "'input' must be a string or an array")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","temperature":"hot"}""", "temperature", "'temperature' has the wrong type")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tools":[{"type":"file_search"}]}""", "tools[0].type", "Unsupported Responses tool type: file_search")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"type":"bogus"}]}""", "input[0].type", "'bogus' is not supported")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"type":"function_call_output","output":"x"}]}""", "input[0].call_id", "call_id is required")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","text":{"format":{"type":"yaml"}}}""", "text.format.type", "json_schema")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","api_key":"sk-1"}""", "api_key", "api_key fields are disabled")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","reasoning":{"effort":"ultra"}}""", "reasoning.effort", "'ultra' is not one of")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tool_choice":7}""", "tool_choice", "tool_choice must be")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[1]}""", "input[0]", "input[0] must be an object.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"type":"message","content":"x"}]}""", "input[0].role", "input[0].role is required.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"role":"user","content":5}]}""", "input[0].content", "must be a string or an array of content parts")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"role":"user","content":[{"type":"weird"}]}]}""", "input[0].content[0].type", "'weird' is not supported")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"role":"user","content":[{"type":"input_text"}]}]}""", "input[0].content[0].text", "input[0].content[0].text must be a string.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[{"type":"function_call","call_id":"c"}]}""", "input[0].name", "input[0].name is required.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":[]}""", "input", "'input' must contain at least one message or item.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":""}""", "input", "'input' must contain at least one message or item.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tools":{}}""", "tools", "'tools' must be an array.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tools":[{"type":"function"}]}""", "tools[0].name", "tools[0].name is required for a function tool.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tools":[{"type":"namespace","name":"n"}]}""", "tools[0].tools", "must be an array for a namespace tool")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","text":{"format":{"type":"json_schema"}}}""", "text.format.schema", "text.format.schema is required for json_schema.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","stream":"yes"}""", "stream", "'stream' has the wrong type.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","max_output_tokens":0}""", "max_output_tokens", "'max_output_tokens' must be a positive integer")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","max_tokens":-5}""", "max_tokens", "'max_tokens' must be a positive integer")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","temperature":7}""", "temperature", "'temperature' must be between 0 and 2")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","top_p":1.5}""", "top_p", "'top_p' must be between 0 and 1")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","truncation":"sometimes"}""", "truncation", "'truncation' must be 'auto' or 'disabled'.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","include":["bogus.thing"]}""", "include[0]", "include[0] \"bogus.thing\" is not one of")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","include":"reasoning.encrypted_content"}""", "include", "'include' must be an array of strings.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","metadata":[1]}""", "metadata", "'metadata' must be an object of string values.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","metadata":{"n":1}}""", "metadata.n", "metadata.n must be a string")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tool_choice":"sometimes"}""", "tool_choice", "tool_choice 'sometimes' is not one of auto, none, required.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","tool_choice":{"type":"function"}}""", "tool_choice.name", "tool_choice.name is required when tool_choice.type is 'function'.")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","timeout_s":"soon"}""", "timeout_s", "'timeout_s' must be a number of seconds")]
    [InlineData("""{"model":"openai-compatible/fake-model","input":"x","thinking":"maybe"}""", "thinking", "'thinking' value 'maybe' is not one of")]
    public async Task Bad_requests_are_400_naming_the_field(string json, string param, string message)
    {
        using var http = fx.Http();
        var before = fx.Upstream.Requests.Count;
        var (response, body) = await Wire.PostAsync(http, "/v1/responses", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (string?)body!["error"]!["param"]);
        Assert.Contains(message, (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(before, fx.Upstream.Requests.Count);
    }

    [Fact]
    public async Task An_upstream_error_before_the_stream_keeps_its_status()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Error(429, "slow down", "rate_limit_error"));
        var (response, _) = await Wire.PostAsync(http, "/v1/responses",
            """{"model":"openai-compatible/fake-model","input":"x","stream":true}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silent_upstream_times_out_as_504_under_timeout_s(bool stream)
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Hang());
        var (response, body) = await Wire.PostAsync(http, "/v1/responses",
            $$"""{"model":"openai-compatible/fake-model","stream":{{(stream ? "true" : "false")}},"timeout_s":0.5,"input":"hi"}""");
        Assert.Equal(504, (int)response.StatusCode);
        Assert.NotNull((string?)body!["error"]!["message"]);
        Assert.False(fx.Upstream.LastChatRequest.Json!.AsObject().ContainsKey("timeout_s"));
    }

    [Fact]
    public async Task A_stream_that_keeps_talking_outlives_its_timeout_s()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Paced("alpha beta gamma delta epsilon zeta", TimeSpan.FromMilliseconds(500)));

        var (response, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"openai-compatible/fake-model","input":"hi","stream":true,"timeout_s":2}""");

        // ~4 s of answer under a 2 s deadline per silence: never silent that long, so never cut.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal("alpha beta gamma delta epsilon zeta",
            string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
    }

    [Fact]
    public async Task A_streamed_response_is_stored_and_continues_by_previous_response_id()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.Text("streamed answer"));
        var (_, events) = await ResponsesClients.StreamAsync(http, """{"model":"openai-compatible/fake-model","input":"q1","stream":true}""");
        var id = (string)events[^1].Data["response"]!["id"]!;

        var (get, stored) = await Wire.PostAsync(http, "/v1/responses",
            $$"""{"model":"openai-compatible/fake-model","input":"q2","previous_response_id":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(id, (string?)stored!["previous_response_id"]);
        Assert.Equal(
            """[{"role":"user","content":"q1"},{"role":"assistant","content":"streamed answer"},{"role":"user","content":"q2"}]""",
            Sent["messages"]!.ToJsonString());
    }

    [Fact]
    public async Task A_stream_cut_after_it_started_ends_with_response_failed()
    {
        using var http = fx.Http();
        fx.Upstream.Enqueue(FakeReply.CutStream("one two three", 2));
        var (_, events) = await ResponsesClients.StreamAsync(http,
            """{"model":"openai-compatible/fake-model","input":"x","stream":true}""");
        Assert.Equal("response.failed", events[^1].Event);
        Assert.Equal("failed", (string?)events[^1].Data["response"]!["status"]);
        Assert.NotNull((string?)events[^1].Data["response"]!["error"]!["message"]);
    }
}
