using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace AbstractCore.TestKit.Tests;

public sealed class FakeOpenAIUpstreamTests : IAsyncLifetime
{
    private FakeOpenAIUpstream _fake = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeOpenAIUpstream.StartAsync();
        _http = new HttpClient { BaseAddress = _fake.BaseUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private static string ChatBody(bool stream = false, bool includeUsage = false, string model = "gpt-test") =>
        new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["stream"] = stream,
            ["stream_options"] = includeUsage ? new JsonObject { ["include_usage"] = true } : null,
        }.ToJsonString();

    /// <summary>Posts a chat request and cancels it once the fake holds it (not after a fixed time: a slow machine would cancel first).</summary>
    private async Task PostThenLeaveAsync()
    {
        var received = _fake.ChatRequestCount;
        using var cts = new CancellationTokenSource();
        var call = PostChatAsync(ChatBody(), cts.Token);
        Assert.True(await _fake.WaitForChatRequestsAfterAsync(received, TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    private Task<HttpResponseMessage> PostChatAsync(string body, CancellationToken cancellationToken = default) =>
        _http.PostAsync("chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);

    private static List<string> SseEvents(string body)
    {
        Assert.EndsWith("\n\n", body, StringComparison.Ordinal);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        return events.Select(e => e["data: ".Length..]).ToList();
    }

    private async Task<(List<JsonNode> Chunks, List<string> Raw)> StreamAsync(bool includeUsage)
    {
        using var response = await PostChatAsync(ChatBody(stream: true, includeUsage: includeUsage));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var raw = SseEvents(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", raw[^1]);
        return (raw.Take(raw.Count - 1).Select(e => JsonNode.Parse(e)!).ToList(), raw);
    }

    [Fact]
    public void BaseUrl_is_loopback_v1_with_trailing_slash()
    {
        Assert.Equal("127.0.0.1", _fake.BaseUrl.Host);
        Assert.NotEqual(0, _fake.BaseUrl.Port);
        Assert.EndsWith("/v1/", _fake.BaseUrl.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_stream_text_reply_has_the_chat_completion_shape()
    {
        _fake.Enqueue(FakeReply.Text("Paris is the capital.", reasoning: "Think first.", promptTokens: 5, completionTokens: 4));

        using var response = await PostChatAsync(ChatBody(model: "my-model"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("chatcmpl-fake", (string)json["id"]!, StringComparison.Ordinal);
        Assert.Equal("chat.completion", (string)json["object"]!);
        Assert.True((long)json["created"]! > 1_600_000_000);
        Assert.Equal("my-model", (string)json["model"]!);
        var choice = json["choices"]!.AsArray().Single()!;
        Assert.Equal(0, (int)choice["index"]!);
        Assert.Equal("stop", (string)choice["finish_reason"]!);
        Assert.Equal("assistant", (string)choice["message"]!["role"]!);
        Assert.Equal("Paris is the capital.", (string)choice["message"]!["content"]!);
        Assert.Equal("Think first.", (string)choice["message"]!["reasoning_content"]!);
        Assert.Null(choice["message"]!["tool_calls"]);
        Assert.Equal(5, (int)json["usage"]!["prompt_tokens"]!);
        Assert.Equal(4, (int)json["usage"]!["completion_tokens"]!);
        Assert.Equal(9, (int)json["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task Stream_sends_role_content_chunks_finish_usage_and_done()
    {
        _fake.Enqueue(FakeReply.Text("Hello from the fake upstream.", finishReason: "length", promptTokens: 3, completionTokens: 2));

        var (chunks, _) = await StreamAsync(includeUsage: true);

        Assert.All(chunks, c =>
        {
            Assert.Equal("chat.completion.chunk", (string)c["object"]!);
            Assert.StartsWith("chatcmpl-fake", (string)c["id"]!, StringComparison.Ordinal);
            Assert.Equal("gpt-test", (string)c["model"]!);
            Assert.NotNull(c["created"]);
        });
        Assert.Single(chunks.Select(c => (string)c["id"]!).Distinct());

        var first = chunks[0]["choices"]![0]!["delta"]!;
        Assert.Equal("assistant", (string)first["role"]!);
        Assert.Equal("", (string)first["content"]!);

        var contentChunks = chunks.Skip(1).TakeWhile(c => c["choices"]![0]!["finish_reason"] is null).ToList();
        Assert.True(contentChunks.Count >= 3, $"only {contentChunks.Count} content chunks");
        Assert.Equal("Hello from the fake upstream.", string.Concat(contentChunks.Select(c => (string)c["choices"]![0]!["delta"]!["content"]!)));

        var finish = chunks[^2]["choices"]![0]!;
        Assert.Equal("length", (string)finish["finish_reason"]!);
        Assert.Empty(finish["delta"]!.AsObject());

        var usage = chunks[^1];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(3, (int)usage["usage"]!["prompt_tokens"]!);
        Assert.Equal(2, (int)usage["usage"]!["completion_tokens"]!);
        Assert.Equal(5, (int)usage["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk_and_streams_reasoning_first()
    {
        _fake.Enqueue(FakeReply.Text("Four.", reasoning: "Two plus two is four."));

        var (chunks, _) = await StreamAsync(includeUsage: false);

        Assert.All(chunks, c => Assert.Null(c["usage"]));
        Assert.Equal("stop", (string)chunks[^1]["choices"]![0]!["finish_reason"]!);
        var deltas = chunks.Select(c => c["choices"]![0]!["delta"]!).ToList();
        var reasoning = deltas.Where(d => d["reasoning_content"] is not null).ToList();
        Assert.True(reasoning.Count >= 3);
        Assert.Equal("Two plus two is four.", string.Concat(reasoning.Select(d => (string)d["reasoning_content"]!)));
        var lastReasoning = deltas.FindLastIndex(d => d["reasoning_content"] is not null);
        var firstContent = deltas.FindIndex(1, d => d["content"] is not null);
        Assert.True(lastReasoning < firstContent);
        Assert.Equal("Four.", string.Concat(deltas.Skip(1).Where(d => d["content"] is not null).Select(d => (string)d["content"]!)));
    }

    [Fact]
    public async Task Streamed_tool_call_fragments_reassemble_to_the_arguments()
    {
        const string weatherArgs = """{"city":"Paris","unit":"celsius"}""";
        const string timeArgs = """{"tz":"Europe/Paris"}""";
        _fake.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_1", "get_weather", weatherArgs), new FakeToolCall("call_2", "get_time", timeArgs)));

        var (chunks, _) = await StreamAsync(includeUsage: true);

        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Args, int Fragments)>();
        foreach (var chunk in chunks)
        {
            var choices = chunk["choices"]!.AsArray();
            if (choices.Count == 0 || choices[0]!["delta"]!["tool_calls"] is not JsonArray toolCalls)
            {
                continue;
            }

            Assert.Null(choices[0]!["delta"]!["content"]);
            foreach (var toolCall in toolCalls)
            {
                var index = (int)toolCall!["index"]!;
                var entry = calls.TryGetValue(index, out var existing) ? existing : (null, null, new StringBuilder(), 0);
                if (toolCall["id"] is not null)
                {
                    Assert.Null(entry.Id);
                    entry.Id = (string)toolCall["id"]!;
                    Assert.Equal("function", (string)toolCall["type"]!);
                    entry.Name = (string)toolCall["function"]!["name"]!;
                }

                var fragment = (string?)toolCall["function"]?["arguments"];
                if (!string.IsNullOrEmpty(fragment))
                {
                    entry.Args.Append(fragment);
                    entry.Fragments++;
                }

                calls[index] = entry;
            }
        }

        Assert.Equal([0, 1], calls.Keys);
        Assert.Equal(("call_1", "get_weather", weatherArgs), (calls[0].Id, calls[0].Name, calls[0].Args.ToString()));
        Assert.Equal(("call_2", "get_time", timeArgs), (calls[1].Id, calls[1].Name, calls[1].Args.ToString()));
        Assert.True(calls[0].Fragments >= 2 && calls[1].Fragments >= 2);
        Assert.Equal("tool_calls", (string)chunks[^2]["choices"]![0]!["finish_reason"]!);
        Assert.NotNull(chunks[^1]["usage"]);
    }

    [Fact]
    public async Task Non_stream_tool_calls_have_null_content()
    {
        _fake.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_9", "lookup", """{"q":"x"}""")));

        using var response = await PostChatAsync(ChatBody());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var choice = json["choices"]![0]!;
        Assert.Equal("tool_calls", (string)choice["finish_reason"]!);
        var message = choice["message"]!.AsObject();
        Assert.True(message.ContainsKey("content"));
        Assert.Null(message["content"]);
        var call = message["tool_calls"]!.AsArray().Single()!;
        Assert.Equal("call_9", (string)call["id"]!);
        Assert.Equal("function", (string)call["type"]!);
        Assert.Equal("lookup", (string)call["function"]!["name"]!);
        Assert.Equal("""{"q":"x"}""", (string)call["function"]!["arguments"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Error_reply_has_status_envelope_and_headers(bool stream)
    {
        _fake.Enqueue(FakeReply.Error(429, "Rate limit reached.", "rate_limit_error", "rate_limit_exceeded", new Dictionary<string, string> { ["Retry-After"] = "7" }));

        using var response = await PostChatAsync(ChatBody(stream: stream));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("Rate limit reached.", (string)error["message"]!);
        Assert.Equal("rate_limit_error", (string)error["type"]!);
        Assert.Equal("rate_limit_exceeded", (string)error["code"]!);
        Assert.True(error.AsObject().ContainsKey("param"));
    }

    [Fact]
    public async Task Raw_reply_is_sent_verbatim_and_queue_is_fifo_then_default()
    {
        _fake.Enqueue(FakeReply.Raw(502, "text/html", "<html>bad gateway</html>"), FakeReply.Text("second"));
        _fake.DefaultReply = FakeReply.Text("default!");

        using var first = await PostChatAsync(ChatBody());
        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal("text/html", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<html>bad gateway</html>", await first.Content.ReadAsStringAsync());

        using var second = await PostChatAsync(ChatBody());
        Assert.Equal("second", (string)JsonNode.Parse(await second.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!);
        using var third = await PostChatAsync(ChatBody());
        Assert.Equal("default!", (string)JsonNode.Parse(await third.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!);
    }

    [Fact]
    public async Task Records_method_path_headers_and_raw_body()
    {
        var body = ChatBody(model: "recorded-model");
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-secret");
        request.Headers.Add("X-Request-Id", "req-123");
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var models = await _http.GetAsync("models");

        var recorded = _fake.Requests;
        Assert.Equal(2, recorded.Count);
        var chat = _fake.LastChatRequest;
        Assert.Same(recorded[0], chat);
        Assert.Equal("POST", chat.Method);
        Assert.Equal("/v1/chat/completions", chat.Path);
        Assert.Equal(body, chat.Body);
        Assert.Equal("Bearer sk-secret", chat.Headers["authorization"]);
        Assert.Equal("Bearer sk-secret", chat.Headers["Authorization"]);
        Assert.Equal("req-123", chat.Headers["x-request-id"]);
        Assert.StartsWith("application/json", chat.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("recorded-model", (string)chat.Json!["model"]!);
        Assert.Equal("GET", recorded[1].Method);
        Assert.Equal("/v1/models", recorded[1].Path);
        Assert.Null(recorded[1].Json);
    }

    [Fact]
    public async Task Record_false_keeps_nothing()
    {
        await using var fake = await FakeOpenAIUpstream.StartAsync(record: false);
        using var http = new HttpClient { BaseAddress = fake.BaseUrl };
        using var response = await http.PostAsync("chat/completions", new StringContent(ChatBody(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();

        Assert.Empty(fake.Requests);
        Assert.Throws<InvalidOperationException>(() => fake.LastChatRequest);
    }

    [Fact]
    public async Task Models_lists_the_configured_ids_and_unknown_paths_are_404_envelopes()
    {
        _fake.Models.Add("other-model");

        var list = JsonNode.Parse(await _http.GetStringAsync("models"))!;
        Assert.Equal("list", (string)list["object"]!);
        var data = list["data"]!.AsArray();
        Assert.Equal(["fake-model", "other-model"], data.Select(m => (string)m!["id"]!));
        Assert.All(data, m =>
        {
            Assert.Equal("model", (string)m!["object"]!);
            Assert.Equal("fake", (string)m["owned_by"]!);
            Assert.NotNull(m["created"]);
        });

        using var missing = await _http.PostAsync("embeddings", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var error = JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Contains("/v1/embeddings", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hang_is_counted_as_cancelled_when_the_client_gives_up()
    {
        _fake.Enqueue(FakeReply.Hang());
        Assert.False(await _fake.WaitForCancellationAsync(TimeSpan.FromMilliseconds(10)));

        await PostThenLeaveAsync();

        Assert.True(await _fake.WaitForCancellationAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, _fake.CancelledRequests);

        // Finished requests never count.
        using var ok = await PostChatAsync(ChatBody(stream: true));
        await ok.Content.ReadAsStringAsync();
        Assert.Equal(1, _fake.CancelledRequests);
    }

    [Fact]
    public async Task Delayed_waits_then_serves_and_is_cancellable()
    {
        _fake.Enqueue(FakeReply.Delayed(TimeSpan.FromMilliseconds(200), FakeReply.Text("late")));
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await PostChatAsync(ChatBody());
        Assert.True(started.ElapsedMilliseconds >= 150);
        Assert.Equal("late", (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!);
        Assert.Equal(0, _fake.CancelledRequests);

        _fake.Enqueue(FakeReply.Delayed(TimeSpan.FromMinutes(5), FakeReply.Text("never")));
        await PostThenLeaveAsync();
        Assert.True(await _fake.WaitForCancellationAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cut_stream_delivers_some_chunks_then_breaks_the_connection()
    {
        _fake.Enqueue(FakeReply.CutStream("one two three four five six", chunksBeforeCut: 2));

        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(ChatBody(stream: true), Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length > 0)
                {
                    lines.Add(line);
                }
            }
        });

        Assert.IsAssignableFrom<IOException>(failure);
        Assert.Equal(3, lines.Count); // role + 2 content chunks
        Assert.DoesNotContain("data: [DONE]", lines);
        Assert.Equal(0, _fake.CancelledRequests);

        _fake.Enqueue(FakeReply.CutStream("whatever", 1));
        await Assert.ThrowsAsync<HttpRequestException>(() => PostChatAsync(ChatBody()));
    }

    [Fact]
    public async Task Dispose_releases_a_hanging_request()
    {
        var fake = await FakeOpenAIUpstream.StartAsync();
        fake.Enqueue(FakeReply.Hang());
        using var http = new HttpClient { BaseAddress = fake.BaseUrl };
        var pending = http.PostAsync("chat/completions", new StringContent(ChatBody(), Encoding.UTF8, "application/json"));
        await Task.Delay(200);

        var disposing = System.Diagnostics.Stopwatch.StartNew();
        await fake.DisposeAsync();
        Assert.True(disposing.Elapsed < TimeSpan.FromSeconds(4), $"dispose took {disposing.Elapsed}");
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
        Assert.Equal(0, fake.CancelledRequests);
    }

    [Fact]
    public async Task Official_openai_client_reads_text_streams_and_tool_calls()
    {
        var client = new ChatClient("fake-model", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Endpoint = _fake.BaseUrl });

        _fake.Enqueue(FakeReply.Text("Bonjour tout le monde", promptTokens: 4, completionTokens: 5));
        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Say hi")]);
        Assert.Equal("Bonjour tout le monde", completion.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(9, completion.Usage.TotalTokenCount);

        _fake.Enqueue(FakeReply.Text("streamed words arrive here", promptTokens: 2, completionTokens: 3));
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Stream")], new ChatCompletionOptions()))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage ??= update.Usage;
        }

        Assert.Equal("streamed words arrive here", text.ToString());
        Assert.Equal(5, usage?.TotalTokenCount);
        Assert.Equal(true, _fake.LastChatRequest.Json!["stream"]?.GetValue<bool>());

        _fake.Enqueue(FakeReply.ToolCalls(new FakeToolCall("call_a", "get_weather", """{"city":"Oslo"}"""), new FakeToolCall("call_b", "get_weather", """{"city":"Rome"}""")));
        var options = new ChatCompletionOptions { Tools = { ChatTool.CreateFunctionTool("get_weather", "weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}""")) } };
        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var args = new Dictionary<int, StringBuilder>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Weather?")], options))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                if (call.ToolCallId is not null)
                {
                    ids[call.Index] = call.ToolCallId;
                }

                if (call.FunctionName is not null)
                {
                    names[call.Index] = call.FunctionName;
                }

                var sb = args.TryGetValue(call.Index, out var existing) ? existing : args[call.Index] = new StringBuilder();
                sb.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("call_a", ids[0]);
        Assert.Equal("call_b", ids[1]);
        Assert.Equal("get_weather", names[1]);
        Assert.Equal("""{"city":"Oslo"}""", args[0].ToString());
        Assert.Equal("""{"city":"Rome"}""", args[1].ToString());
    }
}
