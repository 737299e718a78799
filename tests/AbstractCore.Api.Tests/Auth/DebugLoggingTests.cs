using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Logging;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>§1.2 redaction rules, unit by unit.</summary>
public sealed class RedactorTests
{
    [Theory]
    [InlineData("api_key")]
    [InlineData("apikey")]
    [InlineData("api-key")]
    [InlineData("access_token")]
    [InlineData("auth_token")]
    [InlineData("Authorization")]
    [InlineData("bearer")]
    [InlineData("Cookie")]
    [InlineData("id_token")]
    [InlineData("key")]
    [InlineData("KEY")]
    [InlineData("password")]
    [InlineData("refresh_token")]
    [InlineData("secret")]
    [InlineData("Set-Cookie")]
    [InlineData("token")]
    [InlineData("X-Api-Key")]
    [InlineData("X-AbstractCore-Provider-API-Key")]
    [InlineData("X-Provider-API-Key")]
    [InlineData("x-portkey-api-key")]
    [InlineData("Proxy-Authorization")]
    [InlineData("client_secret")]
    [InlineData("db_password")]
    [InlineData("openai_apikey")]
    [InlineData("my_api_key")]
    [InlineData("x-goog-api-key")]
    [InlineData("session_token")]
    public void Secret_names(string name) => Assert.True(Redactor.IsSecretName(name));

    [Theory]
    [InlineData("model")]
    [InlineData("messages")]
    [InlineData("content")]
    [InlineData("base_url")]
    [InlineData("provider")]
    [InlineData("keys")]
    [InlineData("monkey")]
    [InlineData("Content-Type")]
    [InlineData("User-Agent")]
    public void Ordinary_names(string name) => Assert.False(Redactor.IsSecretName(name));

    [Theory]
    [InlineData("?provider=openai&api_key=sk-1", "?provider=openai&api_key=%5BREDACTED%5D")]
    [InlineData("?token=abc&x=1", "?token=%5BREDACTED%5D&x=1")]
    [InlineData("?Password=p&flag", "?Password=%5BREDACTED%5D&flag")]
    [InlineData("?base_url=http%3A%2F%2Fuser%3Apw%40example.com%2Fv1", "?base_url=http%3A%2F%2Fexample.com%2Fv1")]
    [InlineData("", "")]
    [InlineData("?", "")]
    [InlineData("?a=b", "?a=b")]
    public void Query_strings(string query, string expected) => Assert.Equal(expected, Redactor.Query(query));

    [Theory]
    [InlineData("http://user:pw@example.com:8080/v1?token=abc&x=1", "http://example.com:8080/v1?token=%5BREDACTED%5D&x=1")]
    [InlineData("https://user@example.com/v1", "https://example.com/v1")]
    [InlineData("https://example.com/v1", "https://example.com/v1")]
    [InlineData("not a url", "not a url")]
    public void Urls(string url, string expected) => Assert.Equal(expected, Redactor.Url(url));

    [Fact]
    public void Json_bodies_are_redacted_at_every_depth()
    {
        var redacted = Redactor.Json("""
            {"model":"m","api_key":"sk-1","nested":{"password":"p","list":[{"token":"t"},{"ok":"v"}]},
             "base_url":"http://u:pw@h/v1","headers":{"Authorization":"Bearer x"},"api_key_none":null}
            """u8)!;
        var node = JsonNode.Parse(redacted)!;
        Assert.Equal("m", (string?)node["model"]);
        Assert.Equal("[REDACTED]", (string?)node["api_key"]);
        Assert.Equal("[REDACTED]", (string?)node["nested"]!["password"]);
        Assert.Equal("[REDACTED]", (string?)node["nested"]!["list"]![0]!["token"]);
        Assert.Equal("v", (string?)node["nested"]!["list"]![1]!["ok"]);
        Assert.Equal("http://h/v1", (string?)node["base_url"]);
        Assert.Equal("[REDACTED]", (string?)node["headers"]!["Authorization"]);
        foreach (var secret in (string[])["sk-1", "\"p\"", "\"t\"", "pw", "Bearer x"])
        {
            Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void What_is_not_json_is_not_returned()
    {
        Assert.Null(Redactor.Json("api_key=sk-1"u8));
        Assert.Null(Redactor.Json("""{"api_key":"sk-1" """u8));
    }

    [Fact]
    public void Long_strings_are_cut()
    {
        var redacted = Redactor.Json(System.Text.Encoding.UTF8.GetBytes($$"""{"content":"{{new string('a', 10_000)}}"}"""))!;
        Assert.True(redacted.Length < 3_000);
    }
}

/// <summary><c>ABSTRACTCORE_DEBUG</c>: request/response logs with every secret redacted, streams untouched.</summary>
public sealed class DebugLoggingTests : IAsyncLifetime
{
    private const string ProviderSecret = "sk-provider-header-secret";
    private const string LegacySecret = "sk-legacy-header-secret";
    private const string BodySecret = "sk-body-field-secret";
    private const string QuerySecret = "sk-query-param-secret";
    private const string CookieSecret = "cookie-session-secret";
    private const string UserinfoSecret = "pw-userinfo-secret";

    private LoggedGateway _gw = null!;

    public async Task InitializeAsync() => _gw = await LoggedGateway.StartAsync(upstream => new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_DEBUG"] = "true",
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream,
        });

    public async Task DisposeAsync() => await _gw.DisposeAsync();

    private HttpClient Http(params (string, string)[] headers)
    {
        var http = _gw.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + Token);
        foreach (var (name, value) in headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return http;
    }

    private List<string> RequestLines => [.. _gw.Logs.Lines.Where(l => l.Category == RequestLogging.Category).Select(l => l.Line)];

    private void AssertNoSecretLogged()
    {
        var all = _gw.Logs.All;
        foreach (var secret in (string[])[Token, ProviderSecret, LegacySecret, BodySecret, QuerySecret, CookieSecret, UserinfoSecret, "leaky-user"])
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Headers_body_fields_query_parameters_and_userinfo_are_redacted()
    {
        using var http = Http(("X-AbstractCore-Provider-API-Key", ProviderSecret), ("X-Provider-API-Key", LegacySecret),
            ("Cookie", "session=" + CookieSecret));

        var (refused, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            ChatBody("openai-compatible/fake-model", $$""","api_key":"{{BodySecret}}","max_tokens":5"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var (withUserinfo, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            ChatBody("openai-compatible/fake-model", $$""","base_url":"http://leaky-user:{{UserinfoSecret}}@127.0.0.1:9/v1" """));
        Assert.Equal(HttpStatusCode.Forbidden, withUserinfo.StatusCode);

        await http.GetAsync("/v1/models?provider=openai-compatible&api_key=" + QuerySecret +
            "&base_url=" + Uri.EscapeDataString($"http://leaky-user:{UserinfoSecret}@127.0.0.1:9/v1"));
        await http.GetAsync("/providers?token=" + QuerySecret);

        var (ok, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        AssertNoSecretLogged();
        var lines = RequestLines;
        var request = Assert.Single(lines, l => l.Contains("POST /v1/chat/completions", StringComparison.Ordinal) &&
                                                 l.Contains("\"api_key\":\"[REDACTED]\"", StringComparison.Ordinal));
        Assert.Contains("\"Authorization\":\"[REDACTED]\"", request, StringComparison.Ordinal);
        Assert.Contains("\"X-AbstractCore-Provider-API-Key\":\"[REDACTED]\"", request, StringComparison.Ordinal);
        Assert.Contains("\"X-Provider-API-Key\":\"[REDACTED]\"", request, StringComparison.Ordinal);
        Assert.Contains("\"Cookie\":\"[REDACTED]\"", request, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"openai-compatible/fake-model\"", request, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("\"base_url\":\"http://127.0.0.1:9/v1\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /v1/models?provider=openai-compatible&api_key=%5BREDACTED%5D&base_url=http%3A%2F%2F127.0.0.1%3A9%2Fv1",
            StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /providers?token=%5BREDACTED%5D", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("POST /v1/chat/completions status=400", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("POST /v1/chat/completions status=403", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("POST /v1/chat/completions status=200", StringComparison.Ordinal) &&
                                    l.Contains("duration_ms=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_virtual_key_never_appears_in_the_logs_wherever_it_is_sent()
    {
        using var admin = Http();
        var (made, created) = await Wire.PostAsync(admin, "/acore/keys", """{"name":"logged-key"}""");
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var secret = (string)created!["key"]!;
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + secret);

        var (ok, _) = await Wire.PostAsync(http, "/v1/chat/completions", $$"""
            {"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"my key is {{secret}}"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.DoesNotContain(secret, _gw.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[4..], _gw.Logs.All, StringComparison.Ordinal);
        Assert.Contains(RequestLines, l => l.Contains("my key is [REDACTED]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refused_requests_are_logged_redacted_too()
    {
        using var http = _gw.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer wrong-" + Token);
        var response = await http.GetAsync("/v1/models?api_key=" + QuerySecret);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertNoSecretLogged();
        Assert.Contains(RequestLines, l => l.Contains("GET /v1/models status=401", StringComparison.Ordinal) &&
                                           l.Contains("\"WWW-Authenticate\":\"Bearer\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streams_still_stream_and_their_status_is_logged()
    {
        _gw.Upstream.Enqueue(FakeReply.Text("one two three four five six"));
        using var http = Http(("X-AbstractCore-Provider-API-Key", ProviderSecret));
        var (response, events) = await Wire.StreamAsync(http, "/v1/chat/completions",
            ChatBody("openai-compatible/fake-model", ""","stream":true"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        Assert.True(events.Count > 3);
        Assert.Contains(RequestLines, l => l.Contains("POST /v1/chat/completions status=200", StringComparison.Ordinal) &&
                                           l.Contains("text/event-stream", StringComparison.Ordinal));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task A_body_above_the_cap_reaches_the_handler_whole_and_is_not_logged()
    {
        var content = new string('x', RequestLogging.BodyCap * 2);
        using var http = Http();
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"{{content}}"}],"api_key":"{{BodySecret}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // the whole body was read: api_key at its end was seen

        var (ok, _) = await Wire.PostAsync(http, "/v1/chat/completions",
            $$"""{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"{{content}}"}]}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(content, (string?)_gw.Upstream.LastChatRequest.Json!["messages"]![0]!["content"]);
        Assert.Contains(RequestLines, l => l.Contains($"[JSON body above {RequestLogging.BodyCap} bytes not logged]", StringComparison.Ordinal));
        Assert.DoesNotContain(new string('x', 5000), _gw.Logs.All, StringComparison.Ordinal);
        AssertNoSecretLogged();
    }
}

/// <summary>Without <c>ABSTRACTCORE_DEBUG</c> there are no request logs.</summary>
public sealed class DebugLoggingOffTests
{
    [Fact]
    public async Task No_request_logs_by_default()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["ABSTRACTCORE_AUTH_TOKEN"] = Token });
        await using var logged = gateway.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        using var http = logged.CreateClient();
        await http.GetAsync("/health");
        await http.GetAsync("/v1/models");
        Assert.DoesNotContain(logs.Lines, l => l.Category == RequestLogging.Category);
    }
}
