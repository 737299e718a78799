using System.Text.Json.Nodes;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using static AbstractCore.Api.Tests.Messages.MessagesSdkClient;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// Streamed <c>POST /v1/messages</c> with Anthropic's official .NET SDK (<c>CreateStreaming</c>) through the real gateway
/// to a fake of each wire format: text deltas, thinking deltas, tool input as <c>input_json_delta</c>s forwarded while the
/// upstream is still sending, parallel tool calls, an upstream that dies mid-stream; plain HTTP for the SSE event names
/// the SDK hides.
/// </summary>
[Collection(MessagesSdkCollection.Name)]
public sealed class MessagesStreamingSdkTests(MessagesFixture fixture)
{
    private readonly MessagesFixture fx = fixture.Reset();

    private const string Arguments = """{"city":"San Francisco, CA","days":3}""";

    public static TheoryData<string> FragmentingProviders => [MessagesUpstream.OpenAICompatible, MessagesUpstream.Anthropic];

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task Streamed_text_arrives_as_text_deltas_between_the_message_events(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("one two three four", inputTokens: 31, outputTokens: 5);

        var events = await StreamAsync(fx.Sdk(), Params(upstream.Model, User("Count to four.")));

        var names = events.Select(Name).ToList();
        Assert.Equal("message_start", names[0]);
        Assert.Equal("content_block_start", names[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.All(names[2..^3], n => Assert.Equal("content_block_delta", n));
        var deltas = Deltas(events, "text_delta", 0);
        Assert.True(deltas.Count >= 2, $"the text came in {deltas.Count} delta(s)");
        Assert.Equal("one two three four", string.Concat(deltas));

        Assert.True(events[0].TryPickStart(out var start));
        Assert.StartsWith("msg_", start.Message.ID, StringComparison.Ordinal);
        Assert.Empty(start.Message.Content);
        Assert.True(start.Message.Usage.InputTokens > 0, "message_start said 0 input tokens");
        Assert.Equal([(0L, "text", null, null)], Starts(events));
        Assert.True(events[^2].TryPickDelta(out var delta));
        Assert.Equal(StopReason.EndTurn, delta.Delta.StopReason!.Value());
        Assert.Equal(5, delta.Usage.OutputTokens);
        // The upstream's input count: Anthropic says it up front, the others at their stream's end (message_delta).
        Assert.Equal(31, provider == MessagesUpstream.Anthropic ? start.Message.Usage.InputTokens : delta.Usage.InputTokens);
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task The_raw_stream_names_every_event_in_Anthropics_order(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("alpha beta gamma");
        using var http = fx.Http();

        var (response, events) = await RawStreamAsync(http, $$"""{"model":"{{upstream.Model}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Say three words."}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var names = events.Select(e => e.Event).ToList();
        Assert.Equal(["message_start", "ping", "content_block_start"], names[..3]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names[^3..]);
        Assert.NotEmpty(names[3..^3]);
        Assert.All(names[3..^3], n => Assert.Equal("content_block_delta", n));
        Assert.All(events, e => Assert.Equal(e.Event, (string?)e.Data["type"])); // each data names its own event
        Assert.Equal("alpha beta gamma", string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["text"])));
        Assert.Equal("end_turn", (string?)events[^2].Data["delta"]!["stop_reason"]);
        Assert.True((int?)events[0].Data["message"]!["usage"]!["input_tokens"] > 0);
    }

    [Theory]
    [MemberData(nameof(FragmentingProviders))]
    public async Task Tool_input_fragments_reach_the_client_as_input_json_deltas_before_the_upstream_ends(string provider)
    {
        var upstream = fx.Upstream(provider);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.EnqueueHeldToolCall(release.Task, provider == MessagesUpstream.Anthropic ? "toolu_held" : "call_held", Arguments);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a held-back fragment fails here instead of stalling the suite

        var events = new List<RawMessageStreamEvent>();
        var beforeRelease = 0;
        try
        {
            await foreach (var e in fx.Sdk().Messages.CreateStreaming(Params(upstream.Model, User("Weather?")) with { Tools = [WeatherTool()] }, patience.Token))
            {
                events.Add(e);
                if (!release.Task.IsCompleted && Deltas([e], "input_json_delta").Any(p => p.Length > 0) && ++beforeRelease == 2)
                {
                    release.SetResult(); // the upstream has sent two fragments and is waiting: only now may it send the rest
                }
            }
        }
        finally
        {
            release.TrySetResult();
        }

        Assert.Equal(2, beforeRelease);
        var fragments = Deltas(events, "input_json_delta", 0).Where(p => p.Length > 0).ToList();
        Assert.True(fragments.Count >= 3, $"{fragments.Count} input_json_delta(s): the fragments after the hold are missing");
        Assert.Equal(SdkJson.Compact(Arguments), SdkJson.Compact(string.Concat(fragments)));
        var (_, type, id, name) = Assert.Single(Starts(events));
        Assert.Equal(("tool_use", "get_weather"), (type, name));
        Assert.Equal(provider == MessagesUpstream.Anthropic ? "toolu_held" : "toolu_call_held", id);
        Assert.True(events[^2].TryPickDelta(out var delta));
        Assert.Equal(StopReason.ToolUse, delta.Delta.StopReason!.Value());
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task Parallel_tool_calls_stream_as_two_tool_use_blocks(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueToolCalls(("toolu_s1", "get_weather", """{"city":"Paris"}"""), ("toolu_s2", "get_weather", """{"city":"Rome"}"""));

        var events = await StreamAsync(fx.Sdk(), Params(upstream.Model, User("Weather in Paris and Rome?")) with { Tools = [WeatherTool()] });

        Assert.Equal([(0L, "tool_use", "toolu_s1", "get_weather"), (1L, "tool_use", "toolu_s2", "get_weather")], Starts(events));
        Assert.Equal("""{"city":"Paris"}""", SdkJson.Compact(string.Concat(Deltas(events, "input_json_delta", 0))));
        Assert.Equal("""{"city":"Rome"}""", SdkJson.Compact(string.Concat(Deltas(events, "input_json_delta", 1))));
        // Each block is closed before the next one opens.
        var blockEvents = events.Where(e => Name(e) is "content_block_start" or "content_block_stop").Select(e => (Name(e), e.Index)).ToList();
        Assert.Equal([("content_block_start", 0L), ("content_block_stop", 0L), ("content_block_start", 1L), ("content_block_stop", 1L)],
            blockEvents.Select(b => (b.Item1, b.Index ?? -1)));
        Assert.True(events[^2].TryPickDelta(out var delta));
        Assert.Equal(StopReason.ToolUse, delta.Delta.StopReason!.Value());
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task Thinking_streams_as_thinking_deltas_in_a_block_before_the_text(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueText("The answer is 42.", thinking: "Six times seven is forty-two, so say so.");

        var events = await StreamAsync(fx.Sdk(), Params(upstream.Model, User("6 x 7?")) with
        {
            MaxTokens = 4096,
            Thinking = new ThinkingConfigEnabled(2048),
        });

        var starts = Starts(events);
        Assert.Equal([(0L, "thinking"), (1L, "text")], starts.Select(s => (s.Index, s.Type)));
        var thinking = Deltas(events, "thinking_delta", 0);
        Assert.True(thinking.Count >= 2, $"the thinking came in {thinking.Count} delta(s)");
        Assert.Equal("Six times seven is forty-two, so say so.", string.Concat(thinking));
        Assert.Equal("The answer is 42.", string.Concat(Deltas(events, "text_delta", 1)));
        if (provider == MessagesUpstream.Anthropic)
        {
            Assert.Equal(["sig-fake-0123456789"], Deltas(events, "signature_delta", 0));
        }
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task An_upstream_that_dies_mid_stream_surfaces_as_the_SDKs_error_event(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueDyingStream("Once upon");
        var events = new List<RawMessageStreamEvent>();

        var error = await Assert.ThrowsAsync<AnthropicSseException>(async () =>
        {
            await foreach (var e in fx.Sdk().Messages.CreateStreaming(Params(upstream.Model, User("Tell a story."))))
            {
                events.Add(e);
            }
        });

        Assert.Equal(provider == MessagesUpstream.Anthropic ? "overloaded_error" : "api_error", error.Type?.Raw());
        Assert.Equal("message_start", Name(events[0]));
        Assert.Equal("Once upon", string.Concat(Deltas(events, "text_delta")));
        Assert.DoesNotContain(events, e => Name(e) is "message_stop");
    }

    [Theory]
    [MemberData(nameof(AllProviders), MemberType = typeof(MessagesSdkClient))]
    public async Task An_upstream_that_dies_mid_stream_ends_the_raw_stream_with_one_error_event(string provider)
    {
        var upstream = fx.Upstream(provider);
        upstream.EnqueueDyingStream("Once upon");
        using var http = fx.Http();

        var (response, events) = await RawStreamAsync(http, $$"""{"model":"{{upstream.Model}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Tell a story."}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("message_start", events[0].Event);
        var (name, data) = events[^1];
        Assert.Equal("error", name);
        Assert.Equal("error", (string?)data["type"]);
        Assert.Equal(provider == MessagesUpstream.Anthropic ? "overloaded_error" : "api_error", (string?)data["error"]!["type"]);
        Assert.False(string.IsNullOrEmpty((string?)data["error"]!["message"]));
        Assert.Single(events, e => e.Event == "error");
        Assert.DoesNotContain(events, e => e.Event == "message_stop");
        Assert.Equal("Once upon", string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["text"])));
    }

    [Fact]
    public async Task A_silent_upstream_gets_ping_events_between_the_deltas()
    {
        await using var gateway = new AbstractCore.Api.Tests.Infrastructure.GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MessagesFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = fx.OpenAI.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_MESSAGES_PING_S"] = "0.2",
        });
        fx.OpenAI.Enqueue(FakeReply.Paced("slow steady words", TimeSpan.FromMilliseconds(700)));
        using var http = gateway.Http(MessagesFixture.Token);

        var (response, events) = await RawStreamAsync(http, """{"model":"openai-compatible/fake-model","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Slowly."}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var names = events.Select(e => e.Event).ToList();
        var firstDelta = names.IndexOf("content_block_delta");
        var lastDelta = names.LastIndexOf("content_block_delta");
        Assert.Contains("ping", names[firstDelta..lastDelta]); // 700 ms of silence between words, a ping every 200 ms
        Assert.Equal("message_stop", names[^1]);

        // The SDK skips them and reads the same text.
        fx.OpenAI.Enqueue(FakeReply.Paced("slow steady words", TimeSpan.FromMilliseconds(700)));
        using var client = For(gateway, MessagesFixture.Token);
        Assert.Equal("slow steady words", string.Concat(Deltas(await StreamAsync(client, Params("openai-compatible/fake-model", User("Slowly."))), "text_delta")));
    }

    [Fact]
    public async Task An_upstream_slow_to_answer_gets_the_stream_started_and_pinged_before_its_first_chunk()
    {
        await using var gateway = new AbstractCore.Api.Tests.Infrastructure.GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MessagesFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = fx.OpenAI.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_MESSAGES_PING_S"] = "0.2",
        });
        fx.OpenAI.Enqueue(FakeReply.Delayed(TimeSpan.FromMilliseconds(1500), FakeReply.Text("Late.")));
        using var http = gateway.Http(MessagesFixture.Token);

        var (response, events) = await RawStreamAsync(http, """{"model":"openai-compatible/fake-model","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Take your time."}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var names = events.Select(e => e.Event).ToList();
        Assert.Equal("message_start", names[0]);
        var pings = names[..names.IndexOf("content_block_start")].Count(n => n == "ping");
        Assert.True(pings >= 2, string.Join(", ", names)); // 1.5 s of silence before the first chunk, a ping every 200 ms
        Assert.Equal(1, names.Count(n => n == "message_start"));
        Assert.Equal("Late.", string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]!["text"])));
        Assert.Equal("message_stop", names[^1]);
    }

    [Fact]
    public async Task A_streamed_tool_call_from_ollama_comes_whole_as_one_input_json_delta()
    {
        var upstream = fx.Upstream(MessagesUpstream.Ollama);
        upstream.EnqueueToolCalls(("call_o1", "get_weather", Arguments));

        var events = await StreamAsync(fx.Sdk(), Params(upstream.Model, User("Weather?")) with { Tools = [WeatherTool()] });

        var (_, type, id, _) = Assert.Single(Starts(events));
        Assert.Equal(("tool_use", "toolu_call_o1"), (type, id));
        Assert.Equal(SdkJson.Compact(Arguments), SdkJson.Compact(string.Concat(Deltas(events, "input_json_delta", 0))));
        _ = JsonNode.Parse(string.Concat(Deltas(events, "input_json_delta", 0)));
    }
}
