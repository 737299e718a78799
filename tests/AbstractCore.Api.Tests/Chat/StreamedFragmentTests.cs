using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Providers;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// A streamed tool call's argument fragments reach the client as the upstream sends them, on every route and provider:
/// the fake upstream stops after the first fragment until the test has received it, so a gateway that held fragments
/// back until the upstream's end would never let the test release it (the test then fails on its patience token).
/// </summary>
public sealed class StreamedFragmentTests(GatewayFixture fx, AnthropicFixture anthropic) : IClassFixture<GatewayFixture>, IClassFixture<AnthropicFixture>
{
    private const string Arguments = """{"city":"San Francisco, CA","days":3}""";
    private const string ChatTools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]""";
    private const string ResponsesTools = """[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]""";

    [Theory]
    [InlineData(null)] // relayed as bytes
    [InlineData("passthrough")]
    [InlineData("codex")]
    [InlineData("xml")] // translated (a text rendering comes on top, at the end)
    public async Task OpenAI_compatible_chat_streams_fragments_as_they_arrive(string? agentFormat)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Upstream.Enqueue(FakeReply.HeldToolCall(release.Task, new FakeToolCall("call_h1", "get_weather", Arguments)));
        var extra = agentFormat is null ? "" : $",\"agent_format\":\"{agentFormat}\"";

        using var http = fx.Http();
        var (id, arguments) = await ReadChatAsync(http, $$"""{"model":"openai-compatible/fake-model"{{extra}},"stream":true,"tools":{{ChatTools}},"messages":[{"role":"user","content":"weather?"}]}""", release);

        Assert.Equal("call_h1", id);
        Assert.Equal(Arguments, arguments);
    }

    [Fact]
    public async Task Anthropic_chat_streams_input_json_deltas_as_tool_call_fragments()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        anthropic.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_1", "get_weather", Arguments)) with { HoldAfterFirstFragment = release.Task });

        using var http = anthropic.Http();
        var (id, arguments) = await ReadChatAsync(http, $$"""{"model":"{{AnthropicFixture.Model}}","stream":true,"tools":{{ChatTools}},"messages":[{"role":"user","content":"weather?"}]}""", release);

        Assert.Equal("toolu_1", id);
        Assert.Equal(Arguments, Compact(arguments));
    }

    [Fact]
    public async Task Responses_over_an_OpenAI_compatible_upstream_stream_argument_deltas_as_they_arrive()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fx.Upstream.Enqueue(FakeReply.HeldToolCall(release.Task, new FakeToolCall("call_r1", "get_weather", Arguments)));

        using var http = fx.Http();
        var arguments = await ReadResponsesAsync(http, $$"""{"model":"openai-compatible/fake-model","stream":true,"tools":{{ResponsesTools}},"input":"weather?"}""", release);

        Assert.Equal(Arguments, arguments);
    }

    [Fact]
    public async Task Responses_over_Anthropic_stream_argument_deltas_as_they_arrive()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        anthropic.Upstream.Enqueue(AnthropicReply.ToolUse(AnthropicReplyBlock.ToolUse("toolu_2", "get_weather", Arguments)) with { HoldAfterFirstFragment = release.Task });

        using var http = anthropic.Http();
        var arguments = await ReadResponsesAsync(http, $$"""{"model":"{{AnthropicFixture.Model}}","stream":true,"tools":{{ResponsesTools}},"input":"weather?"}""", release);

        Assert.Equal(Arguments, Compact(arguments));
    }

    /// <summary>Chat chunks: the call's id and its argument fragments joined; the first fragment releases the upstream.</summary>
    private static async Task<(string? Id, string Arguments)> ReadChatAsync(HttpClient http, string body, TaskCompletionSource release)
    {
        string? id = null;
        var arguments = new StringBuilder();
        await ReadEventsAsync(http, "/v1/chat/completions", body, release, data =>
        {
            foreach (var call in data["choices"]?[0]?["delta"]?["tool_calls"]?.AsArray() ?? [])
            {
                id ??= (string?)call!["id"];
                if ((string?)call!["function"]?["arguments"] is { Length: > 0 } fragment)
                {
                    arguments.Append(fragment);
                    return true;
                }
            }

            return false;
        });
        return (id, arguments.ToString());
    }

    /// <summary>Responses events: the <c>function_call_arguments.delta</c>s joined.</summary>
    private static async Task<string> ReadResponsesAsync(HttpClient http, string body, TaskCompletionSource release)
    {
        var arguments = new StringBuilder();
        await ReadEventsAsync(http, "/v1/responses", body, release, data =>
        {
            if ((string?)data["type"] == "response.function_call_arguments.delta" && (string?)data["delta"] is { Length: > 0 } delta)
            {
                arguments.Append(delta);
                return true;
            }

            return false;
        });
        return arguments.ToString();
    }

    /// <summary>Reads the stream to its end; the first event <paramref name="isFragment"/> accepts releases the upstream,
    /// and it must be exactly one such event before the release.</summary>
    private static async Task ReadEventsAsync(HttpClient http, string path, string body, TaskCompletionSource release, Func<JsonNode, bool> isFragment)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a held-back fragment fails here instead of stalling the suite
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(patience.Token));
        var beforeRelease = 0;
        while (await reader.ReadLineAsync(patience.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line != "data: [DONE]" && isFragment(JsonNode.Parse(line[6..])!) && !release.Task.IsCompleted)
            {
                beforeRelease++;
                release.SetResult(); // only now may the upstream send the rest
            }
        }

        Assert.Equal(1, beforeRelease);
    }

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
}
