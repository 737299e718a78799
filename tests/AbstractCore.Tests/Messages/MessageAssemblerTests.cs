using System.Buffers;
using System.Text;
using System.Text.Json;
using AbstractCore.Chat.Streaming;
using AbstractCore.Messages;
using Microsoft.Extensions.AI;

namespace AbstractCore.Tests.Messages;

public sealed class MessageAssemblerTests
{
    /// <summary>The stream's events as (event name, data) pairs.</summary>
    private static List<(string Name, JsonElement Data)> Events(ArrayBufferWriter<byte> output) =>
        Encoding.UTF8.GetString(output.WrittenSpan).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(frame => frame.Split('\n'))
            .Select(lines => (lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone()))
            .ToList();

    private static ChatResponseUpdate Update(params AIContent[] contents) => new(ChatRole.Assistant, contents);

    [Fact]
    public void A_stream_tells_thinking_text_and_a_fragmented_tool_call_in_anthropic_events()
    {
        var output = new ArrayBufferWriter<byte>();
        using var assembler = new MessageAssembler("openai/gpt-x", 42);
        assembler.Start(output);
        assembler.Add(Update(new TextReasoningContent("Let me")));
        assembler.Add(Update(new TextReasoningContent(" think.")));
        assembler.Add(Update(new TextContent("Checking.")));
        assembler.Add(Update(new ToolCallFragment("call_1", "get_weather", "{\"ci")));
        assembler.Add(Update(new ToolCallFragment("call_1", null, "ty\":\"Paris\"}")));
        assembler.Add(Update(new StreamedFunctionCallContent("call_1", "get_weather", null, "{\"city\":\"Paris\"}")));
        assembler.Add(new ChatResponseUpdate
        {
            FinishReason = ChatFinishReason.ToolCalls,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = 30, OutputTokenCount = 12, CachedInputTokenCount = 10 })],
        });
        assembler.Finish();

        var events = Events(output);
        Assert.Equal(
        [
            "message_start", "ping",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "message_delta", "message_stop",
        ], events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));

        var start = events[0].Data.GetProperty("message");
        Assert.StartsWith("msg_", start.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(42, start.GetProperty("usage").GetProperty("input_tokens").GetInt64());
        Assert.Equal("thinking", events[2].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.Equal(" think.", events[4].Data.GetProperty("delta").GetProperty("thinking").GetString());
        Assert.Equal(1, events[7].Data.GetProperty("index").GetInt32());
        Assert.Equal("Checking.", events[7].Data.GetProperty("delta").GetProperty("text").GetString());

        var tool = events[9].Data.GetProperty("content_block");
        Assert.Equal(("tool_use", "toolu_call_1", "get_weather"), (tool.GetProperty("type").GetString(), tool.GetProperty("id").GetString(), tool.GetProperty("name").GetString()));
        Assert.Equal(["{\"ci", "ty\":\"Paris\"}"], events.Skip(10).Take(2).Select(e => e.Data.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("input_json_delta", events[10].Data.GetProperty("delta").GetProperty("type").GetString());

        var delta = events[13].Data;
        Assert.Equal("tool_use", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        var usage = delta.GetProperty("usage");
        Assert.Equal((20, 10, 12), (usage.GetProperty("input_tokens").GetInt64(), usage.GetProperty("cache_read_input_tokens").GetInt64(),
            usage.GetProperty("output_tokens").GetInt64()));
    }

    [Fact]
    public void Parallel_whole_calls_are_one_block_each()
    {
        var output = new ArrayBufferWriter<byte>();
        using var assembler = new MessageAssembler("m", 1);
        assembler.Start(output);
        assembler.Add(Update(new FunctionCallContent("a", "f", new Dictionary<string, object?> { ["x"] = "1" }), new FunctionCallContent("b", "g")));
        assembler.Finish();
        var starts = Events(output).Where(e => e.Name == "content_block_start").Select(e => e.Data.GetProperty("content_block")).ToList();
        Assert.Equal(["toolu_a", "toolu_b"], starts.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("""{"x":"1"}""", Events(output).First(e => e.Name == "content_block_delta").Data.GetProperty("delta").GetProperty("partial_json").GetString());
    }

    [Fact]
    public void A_failure_ends_the_stream_with_an_error_event()
    {
        var output = new ArrayBufferWriter<byte>();
        using var assembler = new MessageAssembler("m", 1);
        assembler.Start(output);
        assembler.Add(Update(new TextContent("Hel")));
        assembler.Fail("overloaded_error", "Provider 'x' failed (HTTP 529).");
        var last = Events(output)[^1];
        Assert.Equal("error", last.Name);
        Assert.Equal(("overloaded_error", "Provider 'x' failed (HTTP 529)."),
            (last.Data.GetProperty("error").GetProperty("type").GetString(), last.Data.GetProperty("error").GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("stop", "end_turn")]
    [InlineData("length", "max_tokens")]
    [InlineData("tool_calls", "tool_use")]
    [InlineData("content_filter", "refusal")]
    public void A_whole_answer_is_one_message_with_blocks_in_order(string finish, string stopReason)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant,
        [
            new TextContent("Answer."), new FunctionCallContent("c", "f", new Dictionary<string, object?> { ["q"] = "x" }),
            new TextReasoningContent("Because.") { ProtectedData = "sig" },
        ]))
        {
            FinishReason = new ChatFinishReason(finish),
            Usage = new UsageDetails { InputTokenCount = 9, OutputTokenCount = 4 },
        };
        var output = new ArrayBufferWriter<byte>();
        using var assembler = new MessageAssembler("ollama/llama3", 1);
        assembler.WriteMessage(response, output);

        var message = JsonDocument.Parse(output.WrittenMemory).RootElement;
        Assert.Equal(("message", "assistant", "ollama/llama3"), (message.GetProperty("type").GetString(), message.GetProperty("role").GetString(),
            message.GetProperty("model").GetString()));
        var blocks = message.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["thinking", "text", "tool_use"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(("Because.", "sig"), (blocks[0].GetProperty("thinking").GetString(), blocks[0].GetProperty("signature").GetString()));
        Assert.Equal("""{"q":"x"}""", blocks[2].GetProperty("input").GetRawText());
        Assert.Equal(finish == "length" || finish == "content_filter" ? stopReason : "tool_use", message.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("stop_sequence").ValueKind);
        Assert.Equal((9, 4), (message.GetProperty("usage").GetProperty("input_tokens").GetInt64(), message.GetProperty("usage").GetProperty("output_tokens").GetInt64()));
    }

    [Fact]
    public void Without_tool_calls_stop_means_end_turn()
    {
        var output = new ArrayBufferWriter<byte>();
        using var assembler = new MessageAssembler("m", 1);
        assembler.WriteMessage(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi.")) { FinishReason = ChatFinishReason.Stop }, output);
        Assert.Equal("end_turn", JsonDocument.Parse(output.WrittenMemory).RootElement.GetProperty("stop_reason").GetString());
    }

    [Theory]
    [InlineData(400, null, 400, "invalid_request_error")]
    [InlineData(401, null, 401, "authentication_error")]
    [InlineData(403, null, 403, "permission_error")]
    [InlineData(404, null, 404, "not_found_error")]
    [InlineData(413, null, 413, "request_too_large")]
    [InlineData(429, 429, 429, "rate_limit_error")]
    [InlineData(502, 500, 502, "api_error")]
    [InlineData(502, 529, 529, "overloaded_error")]
    [InlineData(502, 503, 529, "overloaded_error")]
    [InlineData(504, null, 504, "api_error")]
    public void Statuses_map_to_anthropic_error_types(int status, int? upstream, int expectedStatus, string type) =>
        Assert.Equal((expectedStatus, type), MessagesErrors.Map(status, upstream));
}
