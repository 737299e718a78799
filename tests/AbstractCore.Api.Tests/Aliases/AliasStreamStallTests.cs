using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// Rule 5: after the first byte, a stream that stalls (<c>stream_idle_timeout_s</c>) ends with an in-band error and
/// nothing is retried, since tokens were delivered; unless the alias resumes by prefill, when the next deployment
/// continues from the delivered text and the client sees one seamless stream.
/// </summary>
public sealed class AliasStreamStallTests : AliasRulesTests
{
    /// <summary>The fake streams it in pieces "One", " two", " six", " ten": three of them are "One two six".</summary>
    private const string Stalled = "One two six ten";
    private const string Delivered = "One two six";

    [Fact]
    public async Task A_stream_that_stalls_after_3_chunks_ends_with_an_in_band_error()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"stream_idle_timeout_s\": 1");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", ChatBody(stream: true, "Count"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var chunks = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal(5, chunks.Count); // the role, 3 pieces of text, the failure
        Assert.Equal(Delivered, string.Concat(chunks.Select(c => (string?)Choice(c)?["delta"]?["content"] ?? "")));
        var last = chunks[^1];
        Assert.Equal("error", (string?)Choice(last)?["finish_reason"]);
        Assert.NotNull(last["error"]?["message"]);
        Assert.All(chunks.SkipLast(1), c => Assert.Null((string?)Choice(c)?["finish_reason"]));
        Assert.Equal(0, Chats(B));
    }

    [Fact]
    public async Task A_stream_that_stalls_after_3_chunks_resumes_by_prefill_as_one_seamless_stream()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3, continuousUsage: true));
        B.Enqueue(FakeReply.Text(" ten, and done.", promptTokens: 20, completionTokens: 5));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"stream_idle_timeout_s\": 1, \"resume\": \"prefill\"");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", ChatBody(stream: true, "Count", includeUsage: true));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.DoesNotContain(chunks, c => c["error"] is not null);
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
        Assert.All(chunks, c => Assert.Equal(Alias, (string?)c["model"]));
        Assert.Single(chunks, c => Choice(c)?["delta"]?["role"] is not null);
        Assert.Equal(Delivered + " ten, and done.", string.Concat(chunks.Select(c => (string?)Choice(c)?["delta"]?["content"] ?? "")));
        var finishes = chunks.Select(c => (string?)Choice(c)?["finish_reason"]).OfType<string>().ToList();
        Assert.Equal(["stop"], finishes);

        // Usage: what the stalled deployment counted (11 prompt, 3 completion tokens) plus the continuation's (20, 5).
        var usage = chunks[^1]["usage"];
        Assert.NotNull(usage);
        Assert.Equal(31, (int?)usage["prompt_tokens"]);
        Assert.Equal(8, (int?)usage["completion_tokens"]);
        Assert.Equal(39, (int?)usage["total_tokens"]);

        // The next deployment got the conversation and, as an assistant message, exactly the text delivered.
        Assert.Equal(1, Chats(B));
        var messages = B.LastChatRequest.Json!["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("user", (string?)messages[0]!["role"]);
        Assert.Equal("Count", Text(messages[0]!["content"]));
        Assert.Equal("assistant", (string?)messages[1]!["role"]);
        Assert.Equal(Delivered, Text(messages[1]!["content"]));
    }

    [Fact]
    public async Task A_stream_cut_after_3_chunks_ends_with_an_in_band_error()
    {
        A.Enqueue(FakeReply.CutStream(Stalled, chunksBeforeCut: 3));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", ChatBody(stream: true, "Count"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var chunks = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal(Delivered, string.Concat(chunks.Select(c => (string?)Choice(c)?["delta"]?["content"] ?? "")));
        Assert.Equal("error", (string?)Choice(chunks[^1])?["finish_reason"]);
        Assert.NotNull(chunks[^1]["error"]?["message"]);
        Assert.Equal(0, Chats(B));
    }

    [Fact]
    public async Task A_stream_cut_after_3_chunks_resumes_by_prefill()
    {
        A.Enqueue(FakeReply.CutStream(Stalled, chunksBeforeCut: 3));
        B.Enqueue(FakeReply.Text(" ten."));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"resume\": \"prefill\"");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", ChatBody(stream: true, "Count"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
        Assert.Single(chunks, c => Choice(c)?["delta"]?["role"] is not null);
        Assert.Equal(Delivered + " ten.", string.Concat(chunks.Select(c => (string?)Choice(c)?["delta"]?["content"] ?? "")));
        Assert.Equal("stop", (string?)Choice(chunks[^1])?["finish_reason"]);
        Assert.Equal(Delivered, Text(B.LastChatRequest.Json!["messages"]!.AsArray()[^1]!["content"]));
    }

    [Fact]
    public async Task A_prefill_resume_that_finds_no_deployment_ends_with_an_in_band_error()
    {
        var down = FakeReply.Error(500, "The server had an error while processing your request.", "server_error");
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        A.DefaultReply = down;
        B.DefaultReply = down;
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"stream_idle_timeout_s\": 1, \"resume\": \"prefill\"");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions", ChatBody(stream: true, "Count"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var chunks = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Single(chunks, c => Choice(c)?["delta"]?["role"] is not null);
        Assert.Equal(Delivered, string.Concat(chunks.Select(c => (string?)Choice(c)?["delta"]?["content"] ?? "")));
        Assert.Equal("error", (string?)Choice(chunks[^1])?["finish_reason"]);
        Assert.NotNull(chunks[^1]["error"]?["message"]);
        Assert.True(Chats(B) >= 1);
    }

    [Fact]
    public async Task A_Responses_stream_that_stalls_ends_with_response_failed()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"stream_idle_timeout_s\": 1");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.NamedEventsAsync(http, "/v1/responses", $$"""{"model":"{{Alias}}","input":"Count","stream":true}""");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Delivered, string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => (string?)e.Data["delta"])));
        Assert.Equal("response.failed", events[^1].Event);
        Assert.DoesNotContain(events, e => e.Event == "response.completed");
        Assert.Equal(0, Chats(B));
    }

    [Fact]
    public async Task A_Messages_stream_that_stalls_ends_with_an_error_event()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"stream_idle_timeout_s\": 1");
        using var http = Gateway.Http(Token);

        var (response, events) = await Wire.NamedEventsAsync(http, "/v1/messages",
            $$"""{"model":"{{Alias}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Count"}]}""");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Delivered, string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => (string?)e.Data["delta"]?["text"])));
        Assert.Equal("error", events[^1].Event);
        Assert.DoesNotContain(events, e => e.Event == "message_stop");
        Assert.Equal(0, Chats(B));
    }

    [Fact]
    public async Task Continuations_that_keep_stalling_end_the_stream_with_an_in_band_error_after_max_attempts()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        A.DefaultReply = FakeReply.Stall(" again", chunksBeforeStall: 1);
        B.DefaultReply = FakeReply.Stall(" more", chunksBeforeStall: 1);
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")],
            "\"stream_idle_timeout_s\": 1, \"resume\": \"prefill\", \"max_attempts\": 3");
        using var http = Gateway.Http(Token);

        // A stream that never ends fails the test (with 1 s idle timeouts and 3 attempts it ends within seconds).
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Wire.Json(ChatBody(stream: true, "Count")) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        var events = new List<string>();
        var ended = true;
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(patience.Token));
            while (await reader.ReadLineAsync(patience.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    events.Add(line[6..]);
                }
            }
        }
        catch (OperationCanceledException)
        {
            ended = false;
        }

        Assert.True(ended, $"The stream had not ended after 20 s: {Chats(A) + Chats(B)} upstream requests ({Chats(B)} continuations on b) so far.");
        Assert.True(response.IsSuccessStatusCode);
        Assert.DoesNotContain("[DONE]", events);
        var chunks = events.Select(e => JsonNode.Parse(e)!).ToList();
        Assert.Equal("error", (string?)Choice(chunks[^1])?["finish_reason"]);
        Assert.NotNull(chunks[^1]["error"]?["message"]);
        Assert.InRange(Chats(A) + Chats(B), 2, 3); // max_attempts counts the whole request, continuations included
    }

    [Fact]
    public async Task A_Messages_stream_that_stalls_reports_the_idle_timeout_that_ended_it()
    {
        A.Enqueue(FakeReply.Stall(Stalled, chunksBeforeStall: 3));
        Start([Deployment("a", A.BaseUrl)], "\"stream_idle_timeout_s\": 1");
        using var http = Gateway.Http(Token);

        var (_, events) = await Wire.NamedEventsAsync(http, "/v1/messages",
            $$"""{"model":"{{Alias}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Count"}]}""");

        Assert.Equal("error", events[^1].Event);
        Assert.Contains("within 1 s", (string?)events[^1].Data["error"]?["message"], StringComparison.Ordinal); // as chat and Responses say
    }

    /// <summary>A message's content as text, whether a string or an array of text parts.</summary>
    private static string? Text(JsonNode? content) => content switch
    {
        JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? "")),
        _ => (string?)content,
    };
}
