using System.ClientModel;
using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 2: before the first byte, a 5xx, a refused connection and a first byte that does not come in time
/// (<c>first_byte_timeout_s</c>) each fall back to the next deployment, streamed or not.</summary>
public sealed class AliasFallbackTests : AliasRulesTests
{
    /// <summary>Nothing listens on port 1 of the loopback: the connection is refused at once.</summary>
    private const string Refused = "http://127.0.0.1:1/v1";

    [Fact]
    public async Task A_500_falls_back_to_the_next_deployment()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);

        ClientResult<ChatCompletion> result = await Gateway.Chat(Alias, Token).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("from b", result.Value.Content[0].Text);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("X-AbstractCore-Deployment", out var deployment));
        Assert.Equal("b", deployment);
        Assert.Equal(1, Chats(A));
        Assert.Equal(1, Chats(B));
    }

    [Fact]
    public async Task A_500_falls_back_to_the_next_deployment_streamed()
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("streamed from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);

        var text = "";
        string? finish = null;
        await foreach (var update in Gateway.Chat(Alias, Token).CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            finish = update.FinishReason?.ToString() ?? finish;
        }

        Assert.Equal("streamed from b", text);
        Assert.Equal("Stop", finish);
        Assert.Equal(1, Chats(B));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refused_connection_falls_back_to_the_next_deployment(bool stream)
    {
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", Refused), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("from b", AnswerText(text, stream));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hang_before_the_first_byte_times_out_and_falls_back(bool stream)
    {
        A.Enqueue(FakeReply.Hang());
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"first_byte_timeout_s\": 1");
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("from b", AnswerText(text, stream));
        Assert.Equal(1, Chats(A));
        Assert.True(await A.WaitForCancellationAsync(TimeSpan.FromSeconds(10)), "the hung attempt was never cancelled");
    }

    [Fact]
    public async Task When_every_deployment_fails_the_client_gets_the_last_failure_after_max_attempts()
    {
        foreach (var fake in new[] { A, B, C })
        {
            fake.DefaultReply = FakeReply.Error(500, "The server had an error while processing your request.", "server_error");
        }

        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl), Deployment("c", C.BaseUrl)]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Contains("upstream_error", text, StringComparison.Ordinal);
        Assert.Equal("3", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal(3, Chats(A) + Chats(B) + Chats(C));
    }

    [Fact]
    public async Task A_deployment_whose_key_setting_is_not_set_is_skipped()
    {
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl, "\"api_key_env\": \"ALIAS_RULES_UNSET_KEY\""), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal(0, Chats(A));
    }

    [Fact]
    public async Task With_resume_prefill_a_hang_before_the_first_byte_still_falls_back()
    {
        A.Enqueue(FakeReply.Hang());
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"first_byte_timeout_s\": 1, \"resume\": \"prefill\"");
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: true);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("from b", AnswerText(text, stream: true));
        Assert.Equal("[DONE]", Events(text)[^1]);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(529)]
    public async Task Other_transient_statuses_fall_back(int status)
    {
        A.Enqueue(FakeReply.Error(status, "Try again later.", "server_error"));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
    }
}
