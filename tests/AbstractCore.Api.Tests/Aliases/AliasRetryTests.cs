using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 1: a 429 with <c>Retry-After</c> is retried, on the same deployment after the wait when it is the only
/// one, at once on the next deployment when there is one.</summary>
public sealed class AliasRetryTests : AliasRulesTests
{
    private static readonly Dictionary<string, string> RetryAfterOne = new() { ["Retry-After"] = "1" };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_429_with_Retry_After_is_retried_on_the_same_deployment(bool stream)
    {
        A.Enqueue(FakeReply.Error(429, "Rate limit reached, slow down.", "rate_limit_error", "rate_limit_exceeded", RetryAfterOne),
            FakeReply.Text("after the wait"));
        Start([Deployment("a", A.BaseUrl)]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(2, Chats(A));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
        Assert.Equal("a", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("after the wait", AnswerText(text, stream));
    }

    [Fact]
    public async Task A_429_goes_to_the_next_deployment()
    {
        A.Enqueue(FakeReply.Error(429, "Rate limit reached, slow down.", "rate_limit_error", "rate_limit_exceeded", RetryAfterOne));
        B.Enqueue(FakeReply.Text("from b"));
        Start([Deployment("a", A.BaseUrl), Deployment("b", B.BaseUrl, "\"weight\": 0")]);

        var result = await Gateway.Chat(Alias, Token).CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.Equal("from b", result.Value.Content[0].Text);
        Assert.Equal(Alias, result.Value.Model);
        var headers = result.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("X-AbstractCore-Attempts", out var attempts));
        Assert.Equal("2", attempts);
        Assert.True(headers.TryGetValue("X-AbstractCore-Deployment", out var deployment));
        Assert.Equal("b", deployment);
        Assert.Equal(1, Chats(A));
        Assert.Equal(1, Chats(B));
    }

    [Fact]
    public async Task A_429_whose_Retry_After_is_longer_than_the_gateway_waits_reaches_the_client()
    {
        A.Enqueue(FakeReply.Error(429, "Rate limit reached, slow down.", "rate_limit_error", "rate_limit_exceeded",
            new Dictionary<string, string> { ["Retry-After"] = "30" }));
        Start([Deployment("a", A.BaseUrl)]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("30", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("Rate limit reached", text, StringComparison.Ordinal);
        Assert.Equal(1, Chats(A));
    }

    [Theory]
    [InlineData("retry-after-ms", "300")]
    [InlineData("Retry-After", "date")]
    public async Task A_429_with_retry_after_ms_or_a_date_is_retried_on_the_same_deployment(string header, string value)
    {
        if (value == "date")
        {
            value = DateTimeOffset.UtcNow.AddSeconds(2).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        A.Enqueue(FakeReply.Error(429, "Rate limit reached, slow down.", "rate_limit_error", "rate_limit_exceeded",
            new Dictionary<string, string> { [header] = value }), FakeReply.Text("after the wait"));
        Start([Deployment("a", A.BaseUrl)]);
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(2, Chats(A));
        Assert.Equal("2", Header(response, "X-AbstractCore-Attempts"));
    }
}
