using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Clients;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// Issue 18: Anthropic's official TypeScript SDK (npm <c>@anthropic-ai/sdk</c>, pinned in <c>Clients/js</c>, run by
/// <c>Clients/js/anthropic.mjs</c>) streams a tool-use round trip through the gateway to the scripted OpenAI-compatible
/// fake: the tool call's arguments, which the fake sends in several fragments, reach the SDK as several
/// <c>input_json_delta</c> events that it assembles into the tool_use input; the tool_result turn gets the final text.
/// </summary>
public sealed class AnthropicTsSdkTests(MessagesAgentsFixture fx) : IClassFixture<MessagesAgentsFixture>
{
    private const string Arguments = """{"city":"Oslo","unit":"celsius"}""";

    [Fact]
    public async Task Streamed_tool_use_then_tool_result_round_trip_with_the_typescript_sdk()
    {
        var clients = await JsAgentClients.LocateAsync();
        var before = fx.Upstream.Requests.Count;
        fx.Upstream.Enqueue(
            FakeReply.ToolCalls(new FakeToolCall("call_ts_1", "get_weather", Arguments)),
            FakeReply.Text("It is 21 °C in Oslo."));

        var result = await clients.RunScriptAsync("anthropic.mjs", fx.Root.AbsoluteUri.TrimEnd('/'), GatewayFixture.Token, GatewayFixture.Model);

        // Turn 1: one tool_use block, its input streamed as several input_json_delta fragments.
        var first = result["first"]!;
        Assert.StartsWith("msg_", (string?)first["id"], StringComparison.Ordinal);
        Assert.Equal("tool_use", (string?)first["stop_reason"]);
        var fragments = first["fragments"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.True(fragments.Count >= 2, $"the arguments came in {fragments.Count} input_json_delta event(s)");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Arguments), JsonNode.Parse(string.Concat(fragments))), string.Concat(fragments));
        Assert.Equal(
            ["message_start", "content_block_start", .. fragments.Select(_ => "content_block_delta:input_json_delta"), "content_block_stop", "message_delta", "message_stop"],
            Events(first));
        var call = first["content"]!.AsArray().Single()!;
        Assert.Equal("tool_use", (string?)call["type"]);
        Assert.Equal("toolu_call_ts_1", (string?)call["id"]);
        Assert.Equal("get_weather", (string?)call["name"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Arguments), call["input"]), call["input"]?.ToJsonString());

        // Turn 2: the tool result went up, the final text came down.
        var second = result["second"]!;
        Assert.Equal("end_turn", (string?)second["stop_reason"]);
        Assert.Equal("It is 21 °C in Oslo.", (string?)second["text"]);
        Assert.Equal("It is 21 °C in Oslo.", (string?)second["content"]!.AsArray().Single()!["text"]);
        var events = Events(second);
        Assert.Equal(["message_start", "content_block_start"], events[..2]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events[^3..]);
        Assert.All(events[2..^3], e => Assert.Equal("content_block_delta:text_delta", e));
        Assert.Equal(7, (int?)second["usage"]!["output_tokens"]); // what the fake reported

        var turns = fx.ChatTurnsAfter(before);
        Assert.Equal(2, turns.Count);
        Assert.True((bool)turns[0]["stream"]!);
        Assert.Equal("fake-model", (string?)turns[0]["model"]);
        var tool = turns[0]["tools"]!.AsArray().Single()!["function"]!;
        Assert.Equal("get_weather", (string?)tool["name"]);
        Assert.Equal("object", (string?)tool["parameters"]!["type"]);
        var messages = turns[1]["messages"]!.AsArray();
        var sent = messages.Single(m => m!["tool_calls"] is JsonArray)!["tool_calls"]!.AsArray().Single()!;
        Assert.Equal("toolu_call_ts_1", (string?)sent["id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Arguments), JsonNode.Parse((string)sent["function"]!["arguments"]!)));
        var toolResult = messages.Single(m => (string?)m!["role"] == "tool")!;
        Assert.Equal("toolu_call_ts_1", (string?)toolResult["tool_call_id"]);
        Assert.Equal("""{"city":"Oslo","celsius":21}""", Text(toolResult["content"]!));
    }

    /// <summary>A chat message's content: a string, or the text of its parts.</summary>
    private static string Text(JsonNode content) =>
        content is JsonValue ? (string)content! : string.Concat(content.AsArray().Select(p => (string?)p!["text"]));

    /// <summary>The stream's event types (deltas with their type), pings left out: the gateway may send them any time.</summary>
    private static string[] Events(JsonNode turn) => [.. turn["events"]!.AsArray().Select(e => (string)e!).Where(e => e != "ping")];
}
