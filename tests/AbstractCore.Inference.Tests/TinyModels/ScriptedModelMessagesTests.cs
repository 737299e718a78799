using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.TinyModels;

/// <summary>
/// The scripted tool-calling model through the gateway's Anthropic Messages API (<c>POST /v1/messages</c>): a
/// <c>tool_use</c> block for the first turn, the final text once a <c>tool_result</c> is sent back, plain and streamed.
/// </summary>
public sealed class ScriptedModelMessagesTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Tools = """[{"name":"Bash","description":"Runs a command.","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"]}}]""";

    private static string Model => "onnx/" + TestModels.Scripted;

    [Fact]
    public async Task The_first_turn_is_a_tool_use_block()
    {
        var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/messages", Body(FirstTurn()));

        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        Assert.Equal("tool_use", (string?)body!["stop_reason"]);
        var block = Assert.Single(body["content"]!.AsArray(), b => (string?)b!["type"] == "tool_use")!;
        Assert.StartsWith("toolu_", (string?)block["id"], StringComparison.Ordinal);
        Assert.Equal("Bash", (string?)block["name"]);
        Assert.Equal("""{"command":"echo scripted-tool-ran"}""", block["input"]!.ToJsonString());
        Assert.DoesNotContain(body["content"]!.AsArray(), b => ((string?)b!["text"] ?? "").Contains("tool_call", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streamed_the_arguments_arrive_as_input_json_deltas()
    {
        var (response, events) = await Wire.StreamAsync(fixture.Gateway.Http(), "v1/messages", Body(FirstTurn(), stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = events.Select(e => JsonNode.Parse(e)!).ToList();
        var start = Assert.Single(data, d => (string?)d["type"] == "content_block_start" && (string?)d["content_block"]!["type"] == "tool_use");
        Assert.Equal("Bash", (string?)start["content_block"]!["name"]);
        var json = string.Concat(data.Where(d => (string?)d["delta"]?["type"] == "input_json_delta").Select(d => (string?)d["delta"]!["partial_json"]));
        Assert.Equal("""{"command":"echo scripted-tool-ran"}""", json);
        Assert.Equal("tool_use", (string?)data.Single(d => (string?)d["type"] == "message_delta")["delta"]!["stop_reason"]);
        Assert.Equal("message_stop", (string?)data[^1]["type"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_the_tool_result_it_answers_with_text(bool stream)
    {
        var messages = FirstTurn();
        messages.Add(JsonNode.Parse("""
            {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"echo scripted-tool-ran"}}]}
            """));
        messages.Add(JsonNode.Parse("""
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"scripted-tool-ran\n"}]}
            """));

        if (!stream)
        {
            var (response, body) = await Wire.PostAsync(fixture.Gateway.Http(), "v1/messages", Body(messages));
            Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
            Assert.Equal("end_turn", (string?)body!["stop_reason"]);
            var block = Assert.Single(body["content"]!.AsArray())!;
            Assert.Equal("text", (string?)block["type"]);
            Assert.Equal(ScriptedModelSpec.Default.FinalAnswer, (string?)block["text"]);
            return;
        }

        var (streamed, events) = await Wire.StreamAsync(fixture.Gateway.Http(), "v1/messages", Body(messages, stream: true));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        var data = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal(ScriptedModelSpec.Default.FinalAnswer,
            string.Concat(data.Where(d => (string?)d["delta"]?["type"] == "text_delta").Select(d => (string?)d["delta"]!["text"])));
        Assert.Equal("end_turn", (string?)data.Single(d => (string?)d["type"] == "message_delta")["delta"]!["stop_reason"]);
    }

    private static JsonArray FirstTurn() => [new JsonObject { ["role"] = "user", ["content"] = "Run it." }];

    private static string Body(JsonArray messages, bool stream = false) => new JsonObject
    {
        ["model"] = Model,
        ["max_tokens"] = 1024,
        ["system"] = "You are a coding agent.",
        ["messages"] = messages.DeepClone(),
        ["tools"] = JsonNode.Parse(Tools),
        ["stream"] = stream,
    }.ToJsonString();
}
