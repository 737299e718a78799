using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.TinyModels;

/// <summary>
/// The scripted tool-calling model (<c>onnx/tiny-tools</c>) through the gateway and Inference on the real engine: offered
/// tools, it calls Bash (its <c>&lt;tool_call&gt;</c> text becomes a structured call); given the tool's result, it answers.
/// </summary>
public sealed class ScriptedModelTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Tools = """[{"type":"function","function":{"name":"Bash","description":"Runs a command.","parameters":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}}]""";

    private static readonly ScriptedModelSpec Script = ScriptedModelSpec.Default;

    private static string Model => "onnx/" + TestModels.Scripted;

    [Fact]
    public async Task Offered_tools_it_calls_the_tool_with_the_scripted_arguments()
    {
        var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/chat/completions", Body(FirstTurn("Run it.")));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        var choice = body!["choices"]![0]!;
        Assert.Equal("tool_calls", (string?)choice["finish_reason"]);
        var call = Assert.Single(choice["message"]!["tool_calls"]!.AsArray())!;
        Assert.StartsWith("call_", (string?)call["id"], StringComparison.Ordinal);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal("Bash", (string?)call["function"]!["name"]);
        Assert.Equal("""{"command":"echo scripted-tool-ran"}""", (string?)call["function"]!["arguments"]);
        Assert.True(string.IsNullOrEmpty((string?)choice["message"]!["content"]), choice.ToJsonString());
    }

    [Fact]
    public async Task Streamed_the_call_arrives_as_tool_calls_and_no_markup()
    {
        var (response, events) = await Wire.StreamAsync(fixture.Gateway.Http(), "v1/chat/completions", Body(FirstTurn("Run it."), stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var deltas = events[..^1].Select(e => JsonNode.Parse(e)!["choices"]!.AsArray()).Where(c => c.Count > 0).Select(c => c[0]!).ToList();
        var calls = deltas.SelectMany(d => d["delta"]?["tool_calls"]?.AsArray() ?? []).ToList();
        var call = Assert.Single(calls)!;
        Assert.Equal("Bash", (string?)call["function"]!["name"]);
        Assert.Equal("""{"command":"echo scripted-tool-ran"}""", (string?)call["function"]!["arguments"]);
        Assert.Equal("", string.Concat(deltas.Select(d => (string?)d["delta"]?["content"])));
        Assert.Equal("tool_calls", deltas.Select(d => (string?)d["finish_reason"]).Single(f => f is not null));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_the_tool_result_it_gives_the_final_answer(bool stream)
    {
        var messages = FirstTurn("Run it");
        messages.Add(JsonNode.Parse("""
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"echo scripted-tool-ran\"}"}}]}
            """));
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "scripted-tool-ran\n" });

        var (text, finish) = await AnswerAsync(Body(messages, stream), stream);

        Assert.Equal("The tool said: done.", text);
        Assert.Equal("stop", finish);
    }

    [Fact]
    public async Task The_switch_lives_in_the_KV_cache_so_a_reused_prompt_cache_key_answers_each_turn_right()
    {
        var key = new JsonObject { ["prompt_cache_key"] = "scripted-" + Guid.NewGuid().ToString("N") };
        var first = FirstTurn("Run it");
        var withResult = FirstTurn("Run it");
        withResult.Add(new JsonObject { ["role"] = "assistant", ["content"] = "" });
        withResult.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "scripted-tool-ran" });

        // Call, answer (the key's state rewound to the shared prefix, then the tool result appended), call again (rewound past it).
        var turn = 0;
        foreach (var (messages, expectCall) in new[] { (first, true), (withResult, false), (first, true) })
        {
            var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/chat/completions", Body(messages, extra: key));

            Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
            var message = body!["choices"]![0]!["message"]!;
            Assert.Equal(expectCall ? "Bash" : null, (string?)message["tool_calls"]?[0]?["function"]?["name"]);
            Assert.Equal(expectCall ? null : Script.FinalAnswer, (string?)message["content"] is { Length: > 0 } text ? text : null);
            var cached = (int)body["usage"]!["prompt_tokens_details"]!["cached_tokens"]!;
            Assert.True(turn++ == 0 ? cached == 0 : cached > 0, body["usage"]!.ToJsonString());
        }
    }

    [Fact]
    public async Task A_60_KB_system_prompt_still_gets_the_call()
    {
        var system = new StringBuilder();
        while (system.Length < 60_000)
        {
            system.Append("You are a coding agent. Use the tools you are given, and be brief. ");
        }

        var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/chat/completions", Body(FirstTurn("Run it.", system.ToString())));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal("Bash", (string?)body!["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["name"]);
        Assert.True((int)body["usage"]!["prompt_tokens"]! > 60_000, body["usage"]!.ToJsonString());
    }

    [Fact]
    public async Task Inference_itself_answers_with_the_call_as_text_for_the_gateway_to_parse()
    {
        var body = Body(FirstTurn("Run it.")).Replace(Model, TestModels.Scripted, StringComparison.Ordinal);

        var (response, reply) = await Wire.PostAsync(fixture.Inference.Http, "v1/chat/completions", body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, reply?.ToJsonString());
        Assert.Equal(Script.ToolCallText, (string?)reply!["choices"]![0]!["message"]!["content"]);
        Assert.Equal("<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\":\"echo scripted-tool-ran\"}}\n</tool_call>", Script.ToolCallText);
    }

    private static JsonArray FirstTurn(string user, string system = "You are a coding agent.") =>
    [
        new JsonObject { ["role"] = "system", ["content"] = system },
        new JsonObject { ["role"] = "user", ["content"] = user },
    ];

    private static string Body(JsonArray messages, bool stream = false, JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["messages"] = messages.DeepClone(),
            ["tools"] = JsonNode.Parse(Tools),
            ["stream"] = stream,
        };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }

        return body.ToJsonString();
    }

    /// <summary>The answer's text and finish reason, from a whole completion or the stream's deltas; no tool call in either.</summary>
    private async Task<(string Text, string? Finish)> AnswerAsync(string body, bool stream)
    {
        if (!stream)
        {
            var (response, reply) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/chat/completions", body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, reply?.ToJsonString());
            var choice = reply!["choices"]![0]!;
            Assert.Null(choice["message"]!["tool_calls"]);
            return ((string?)choice["message"]!["content"] ?? "", (string?)choice["finish_reason"]);
        }

        var (streamed, events) = await Wire.StreamAsync(fixture.Gateway.Http(), "v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var deltas = events.Where(e => e != "[DONE]").Select(e => JsonNode.Parse(e)!["choices"]!.AsArray()).Where(c => c.Count > 0).Select(c => c[0]!).ToList();
        Assert.DoesNotContain(deltas, d => d["delta"]?["tool_calls"] is not null);
        return (string.Concat(deltas.Select(d => (string?)d["delta"]?["content"])), deltas.Select(d => (string?)d["finish_reason"]).Single(f => f is not null));
    }
}
