using System.Net;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Auth;

public sealed class ServerAuthTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string ChatBody = """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData(null, "Missing server Authorization bearer token")]
    [InlineData("Bearer ", "Missing server Authorization bearer token")]
    [InlineData("Bearer wrong-token", "Invalid server Authorization bearer token")]
    [InlineData("Basic dGVzdA==", "Missing server Authorization bearer token")]
    public async Task Requests_without_the_right_token_get_401_with_www_authenticate(string? authorization, string message)
    {
        using var http = fx.Gateway.CreateClient();
        if (authorization is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var (response, body) in new[]
        {
            await Wire.PostAsync(http, "/v1/chat/completions", ChatBody),
            (await http.GetAsync("/v1/models"), null),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            if (body is not null)
            {
                Assert.Equal(message, (string?)body["error"]!["message"]);
                Assert.Equal("authentication_error", (string?)body["error"]!["type"]);
            }
        }
    }

    [Fact]
    public async Task The_right_token_in_any_case_of_bearer_is_accepted()
    {
        using var http = fx.Gateway.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + GatewayFixture.Token);
        fx.Upstream.Enqueue(FakeReply.Text("ok"));
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_is_open_and_reports_status_and_version()
    {
        using var http = fx.Gateway.CreateClient();
        var response = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("healthy", (string?)body["status"]);
        Assert.False(string.IsNullOrEmpty((string?)body["version"]));
    }

    [Fact]
    public async Task Validate_reports_whether_the_caller_is_authenticated()
    {
        using var http = fx.Http();
        var body = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/acore/auth/validate"))!;
        Assert.True((bool)body["server_auth_enabled"]!);
        Assert.True((bool)body["authenticated"]!);
    }
}

/// <summary>Without a token the server refuses to serve (503) unless opened explicitly for local use.</summary>
public sealed class UnconfiguredAuthTests
{
    [Fact]
    public async Task No_token_and_no_opt_in_answers_503_saying_what_to_set()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>());
        using var http = gateway.CreateClient();
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"openai-compatible/x","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("server_auth_not_configured", (string?)body!["error"]!["type"]);
        Assert.Contains("ABSTRACTCORE_AUTH_TOKEN", (string?)body["error"]!["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Allow_unauthenticated_opens_the_api()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream.BaseUrl.AbsoluteUri,
        });
        using var http = gateway.CreateClient();
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello from the fake upstream.", (string?)body!["choices"]![0]!["message"]!["content"]);
        Assert.False(upstream.LastChatRequest.Headers.ContainsKey("Authorization"));
    }
}
