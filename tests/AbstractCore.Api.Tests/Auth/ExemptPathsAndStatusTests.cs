using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>§2.1: which paths are open with a token configured, and the 401 answers of the rest.</summary>
public sealed class ExemptPathsTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/favicon.ico")]
    [InlineData("GET", "/docs")]
    [InlineData("GET", "/docs-lite")]
    [InlineData("GET", "/docs/oauth2-redirect")]
    [InlineData("GET", "/openapi.json")]
    [InlineData("GET", "/redoc")]
    [InlineData("OPTIONS", "/v1/chat/completions")]
    [InlineData("OPTIONS", "/v1/models")]
    [InlineData("OPTIONS", "/anything/at/all")]
    public async Task Exempt_paths_need_no_token(string method, string path)
    {
        using var http = fx.Gateway.CreateClient();
        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Health_and_the_openapi_document_answer_200_without_a_token()
    {
        using var http = fx.Gateway.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi.json")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/models")]
    [InlineData("GET", "/openai-compatible/v1/models")]
    [InlineData("GET", "/providers")]
    [InlineData("GET", "/acore/auth/validate")]
    [InlineData("POST", "/v1/responses")]
    [InlineData("POST", "/v1/chat/completions")]
    [InlineData("POST", "/openai-compatible/v1/chat/completions")]
    [InlineData("GET", "/v1/responses/resp_123")]
    [InlineData("GET", "/no/such/route")]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/docsx")]
    public async Task Every_other_path_needs_the_token(string method, string path)
    {
        using var http = fx.Gateway.CreateClient();
        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Wire.Json("{}") });
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
        AssertError(response, body, HttpStatusCode.Unauthorized, "Missing server Authorization bearer token", "authentication_error");
    }

    [Theory]
    [InlineData("Bearer wrong", "Invalid server Authorization bearer token")]
    [InlineData("Bearer " + Token + "x", "Invalid server Authorization bearer token")]
    [InlineData("Bearer " + "test-server-toke", "Invalid server Authorization bearer token")]
    [InlineData("Bearer    ", "Missing server Authorization bearer token")]
    [InlineData("Bearer", "Missing server Authorization bearer token")]
    [InlineData(Token, "Missing server Authorization bearer token")]
    [InlineData("Token " + Token, "Missing server Authorization bearer token")]
    public async Task A_wrong_or_malformed_token_is_401_with_the_exact_message(string authorization, string message)
    {
        using var http = Client(fx.Gateway, authorization);
        var (response, body) = await GetAsync(http, "/acore/auth/validate");
        AssertError(response, body, HttpStatusCode.Unauthorized, message, "authentication_error");
    }

    [Theory]
    [InlineData("Bearer " + Token)]
    [InlineData("bearer " + Token)]
    [InlineData("BEARER   " + Token + "  ")]
    public async Task The_token_is_accepted_with_any_case_of_bearer_and_surrounding_spaces(string authorization)
    {
        using var http = Client(fx.Gateway, authorization);
        var (response, body) = await GetAsync(http, "/acore/auth/validate");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)body!["authenticated"]!);
    }

    [Fact]
    public async Task A_provider_key_header_does_not_replace_the_server_token()
    {
        using var http = Client(fx.Gateway, null, ("X-AbstractCore-Provider-API-Key", "sk-user"));
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody(GatewayFixture.Model));
        AssertError(response, body, HttpStatusCode.Unauthorized, "Missing server Authorization bearer token");
    }
}

/// <summary><c>ABSTRACTCORE_SERVER_PROTECT_DOCS</c> ∈ {1,true,yes,on} puts the docs behind the token (health stays open).</summary>
public sealed class ProtectDocsTests
{
    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData(" on ", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("enabled", false)]
    public async Task Docs_are_protected_only_when_the_flag_is_on(string flag, bool protectedDocs)
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ABSTRACTCORE_SERVER_PROTECT_DOCS"] = flag,
        });
        using var http = gateway.CreateClient();
        foreach (var path in (string[])["/docs", "/docs-lite", "/docs/oauth2-redirect", "/openapi.json", "/redoc"])
        {
            var response = await http.GetAsync(path);
            Assert.Equal(protectedDocs, response.StatusCode == HttpStatusCode.Unauthorized);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        using var authed = Client(gateway, "Bearer " + Token);
        Assert.Equal(HttpStatusCode.OK, (await authed.GetAsync("/openapi.json")).StatusCode);
    }
}

/// <summary>§2.1 without a token: 503 unless opened for local use or the request brings a provider key.</summary>
public sealed class NoTokenConfiguredTests : IAsyncLifetime, IDisposable
{
    private FakeOpenAIUpstream _upstream = null!;
    private GatewayFactory _closed = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeOpenAIUpstream.StartAsync();
        _closed = new GatewayFactory(new Dictionary<string, string?>
        {
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        });
    }

    public void Dispose() => _closed.Dispose();

    public async Task DisposeAsync()
    {
        await _closed.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string?, string?, string?> Refused => new()
    {
        { null, null, null },
        { "Bearer not-needed", null, null },
        { "Bearer NONE", null, null },
        { "Bearer    ", null, null },
        { "Basic dXNlcjpwYXNz", null, null },
        { "sk-without-bearer-prefix", null, null },
        { null, "X-AbstractCore-Provider-API-Key", "dummy" },
        { null, "X-AbstractCore-Provider-API-Key", "Bearer unused" },
        { null, "X-Provider-API-Key", "Empty" },
        { null, "X-Provider-API-Key", "" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Without_a_real_provider_key_the_answer_is_503_with_the_exact_message(string? authorization, string? header, string? value)
    {
        using var http = header is null ? Client(_closed, authorization) : Client(_closed, authorization, (header, value!));
        foreach (var (response, body) in new[]
        {
            await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model")),
            await GetAsync(http, "/v1/models"),
            await GetAsync(http, "/acore/auth/validate"),
        })
        {
            AssertError(response, body, HttpStatusCode.ServiceUnavailable, NotConfiguredMessage, "server_auth_not_configured");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        Assert.Empty(_upstream.Requests);
    }

    [Theory]
    [InlineData("Authorization", "Bearer sk-user")]
    [InlineData("Authorization", "bearer sk-user")]
    [InlineData("X-AbstractCore-Provider-API-Key", "sk-user")]
    [InlineData("X-AbstractCore-Provider-API-Key", "Bearer sk-user")]
    [InlineData("X-Provider-API-Key", "sk-user")]
    public async Task A_real_provider_key_admits_the_request_and_is_the_one_sent_upstream(string header, string value)
    {
        using var http = Client(_closed, null, (header, value));
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-user", AuthorizationOf(_upstream.LastChatRequest));
    }

    [Fact]
    public async Task Health_and_docs_stay_open()
    {
        using var http = _closed.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openapi.json")).StatusCode);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("Yes")]
    [InlineData("on")]
    public async Task Allow_unauthenticated_admits_anonymous_requests_that_are_never_server_authenticated(string flag)
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = flag,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        });
        using var http = gateway.CreateClient();
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(AuthorizationOf(_upstream.LastChatRequest));

        var (validate, body) = await GetAsync(http, "/acore/auth/validate");
        Assert.Equal(HttpStatusCode.OK, validate.StatusCode);
        Assert.False((bool)body!["server_auth_enabled"]!);
        Assert.False((bool)body["authenticated"]!);
    }
}
