namespace AbstractCore.Api.Tests.Aliases;

/// <summary>A deployment's own limits: its <c>rpm</c> sends the rest of the minute's requests elsewhere, and repeated
/// failures (<c>failures_to_cool</c>) cool it down, so the next requests skip it.</summary>
public sealed class AliasLimitsTests : AliasRulesTests
{
    [Fact]
    public async Task A_deployment_at_its_rpm_is_skipped()
    {
        A.DefaultReply = FakeReply.Text("from a");
        B.DefaultReply = FakeReply.Text("from b");
        Start([Deployment("a", A.BaseUrl, "\"rpm\": 2"), Deployment("b", B.BaseUrl, "\"weight\": 0")]);
        using var http = Gateway.Http(Token);

        var answered = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var (response, text) = await PostChatAsync(http, stream: false);
            Assert.True(response.IsSuccessStatusCode, text);
            answered.Add(Header(response, "X-AbstractCore-Deployment"));
        }

        Assert.Equal(["a", "a", "b"], answered);
        Assert.Equal(2, Chats(A));
    }

    [Fact]
    public async Task A_deployment_that_failed_failures_to_cool_times_in_a_row_is_skipped()
    {
        A.DefaultReply = FakeReply.Error(500, "The server had an error while processing your request.", "server_error");
        B.DefaultReply = FakeReply.Text("from b");
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"failures_to_cool\": 2, \"cooldown_s\": 300");
        using var http = Gateway.Http(Token);

        var attempts = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var (response, text) = await PostChatAsync(http, stream: false);
            Assert.True(response.IsSuccessStatusCode, text);
            Assert.Equal("b", Header(response, "X-AbstractCore-Deployment"));
            attempts.Add(Header(response, "X-AbstractCore-Attempts"));
        }

        Assert.Equal(["2", "2", "1"], attempts);
        Assert.Equal(2, Chats(A));
    }

    [Fact]
    public async Task When_every_deployment_is_cooling_the_client_gets_a_503_with_Retry_After()
    {
        A.DefaultReply = FakeReply.Error(500, "The server had an error while processing your request.", "server_error");
        Start([Deployment("a", A.BaseUrl)], "\"failures_to_cool\": 2, \"cooldown_s\": 300");
        using var http = Gateway.Http(Token);

        var (first, _) = await PostChatAsync(http, stream: false);
        var (second, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(502, (int)first.StatusCode);
        Assert.Equal(503, (int)second.StatusCode);
        Assert.Contains("deployments_cooling_down", text, StringComparison.Ordinal);
        Assert.InRange(second.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 300);
        Assert.Equal(2, Chats(A));
    }

    [Fact]
    public async Task A_cooled_deployment_that_answers_again_after_the_cooldown_takes_requests_again()
    {
        A.Enqueue(
            FakeReply.Error(500, "The server had an error while processing your request.", "server_error"),
            FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        A.DefaultReply = FakeReply.Text("from a");
        B.DefaultReply = FakeReply.Text("from b");
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")], "\"failures_to_cool\": 2, \"cooldown_s\": 1");
        using var http = Gateway.Http(Token);
        for (var i = 0; i < 3; i++)
        {
            var (response, text) = await PostChatAsync(http, stream: false);
            Assert.True(response.IsSuccessStatusCode, text);
            Assert.Equal("b", Header(response, "X-AbstractCore-Deployment")); // 2 failures, then skipped while cooling
        }

        Assert.Equal(2, Chats(A));
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // past cooldown_s

        var answered = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            var (response, text) = await PostChatAsync(http, stream: false);
            Assert.True(response.IsSuccessStatusCode, text);
            answered.Add(Header(response, "X-AbstractCore-Deployment"));
        }

        Assert.Equal(["a", "a", "a"], answered);
    }
}
