namespace AbstractCore.Api.Tests.Aliases;

/// <summary>Rule 9: <c>X-AbstractCore-Deployment</c> names the deployment, never its URL; no answer, header or body,
/// carries a deployment's base_url or key, while the deployment does get its key.</summary>
public sealed class AliasSecretsTests : AliasRulesTests
{
    private const string Secret = "sk-alias-rules-secret-5f3c9a71e2";
    private const string KeySetting = "ALIAS_RULES_SECRET_KEY";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_deployment_header_names_the_deployment_and_nothing_shows_its_url_or_key(bool stream)
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        B.Enqueue(FakeReply.Text("from b"));
        Start(
            [Deployment("east", A.BaseUrl, $"\"api_key_env\": \"{KeySetting}\""), Deployment("west", B.BaseUrl, $"\"weight\": 0, \"api_key_env\": \"{KeySetting}\"")],
            "", (KeySetting, Secret));
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("west", Header(response, "X-AbstractCore-Deployment"));
        Assert.Equal("Bearer " + Secret, A.LastChatRequest.Headers["Authorization"]);
        Assert.Equal("Bearer " + Secret, B.LastChatRequest.Headers["Authorization"]);
        AssertNothingShows(response, text, A.BaseUrl, B.BaseUrl);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_alias_request_shows_no_url_or_key(bool stream)
    {
        A.Enqueue(FakeReply.Error(500, "The server had an error while processing your request.", "server_error"));
        Start(
            [Deployment("east", A.BaseUrl, $"\"api_key_env\": \"{KeySetting}\""), Deployment("west", "http://127.0.0.1:1/v1", $"\"weight\": 0, \"api_key_env\": \"{KeySetting}\"")],
            "", (KeySetting, Secret));
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream);

        Assert.False(response.IsSuccessStatusCode, text);
        AssertNothingShows(response, text, A.BaseUrl, new Uri("http://127.0.0.1:1/v1"));
    }

    private static void AssertNothingShows(HttpResponseMessage response, string body, params Uri[] baseUrls)
    {
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)));
        foreach (var place in new[] { body, headers })
        {
            Assert.DoesNotContain(Secret, place, StringComparison.Ordinal);
            foreach (var url in baseUrls)
            {
                Assert.DoesNotContain(url.Authority, place, StringComparison.Ordinal); // 127.0.0.1:port, with or without the path
            }
        }
    }

    [Fact]
    public async Task An_upstream_error_that_echoes_the_key_does_not_show_it()
    {
        A.DefaultReply = FakeReply.Error(401, $"Incorrect API key provided: {Secret}. You can find your API key at https://platform.openai.com.",
            "invalid_request_error", "invalid_api_key");
        Start([Deployment("east", A.BaseUrl, $"\"api_key_env\": \"{KeySetting}\"")], "", (KeySetting, Secret));
        using var http = Gateway.Http(Token);

        var (response, text) = await PostChatAsync(http, stream: false);

        Assert.False(response.IsSuccessStatusCode, text);
        AssertNothingShows(response, text, A.BaseUrl);
    }
}
