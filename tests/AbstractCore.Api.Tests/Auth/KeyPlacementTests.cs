using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>§2.2: a provider key may travel in a header only; a body <c>api_key</c> is refused on every route with a
/// body, a query <c>api_key</c> everywhere but <c>GET /v1/models?provider=</c>.</summary>
public sealed class KeyPlacementTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private const string QueryApiKeyMessage =
        "Query-string api_key is disabled because URLs are routinely logged (proxies, access logs, browser history). " +
        "Send the provider key in the X-AbstractCore-Provider-API-Key header instead, or configure provider keys on the server.";

    public static TheoryData<string, string> BodiesWithKey => new()
    {
        { "/v1/chat/completions", ChatBody("openai-compatible/fake-model", ""","api_key":"sk-body-secret" """) },
        { "/v1/chat/completions", ChatBody("openai-compatible/fake-model", ""","api_key":"sk-body-secret","stream":true""") },
        { "/v1/chat/completions", ChatBody("openai-compatible/fake-model", ""","api_key":"" """) },
        { "/v1/chat/completions", ChatBody("openai-compatible/fake-model", ""","api_key":null""") },
        { "/v1/chat/completions", ChatBody("openai-compatible/fake-model", ""","api_key":"sk-body-secret","base_url":"http://203.0.113.9/v1" """) },
        { "/openai-compatible/v1/chat/completions", ChatBody("fake-model", ""","api_key":"sk-body-secret" """) },
        { "/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi","api_key":"sk-body-secret"}""" },
        { "/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi","api_key":"sk-body-secret","stream":true}""" },
        { "/v1/responses", """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}],"api_key":"sk-body-secret"}""" },
        { "/openai-compatible/v1/responses", """{"model":"fake-model","input":"hi","api_key":"sk-body-secret"}""" },
    };

    [Theory]
    [MemberData(nameof(BodiesWithKey))]
    public async Task A_body_api_key_is_400_with_the_exact_message_and_nothing_goes_upstream(string path, string body)
    {
        using var http = fx.Http();
        var (response, error) = await Wire.PostAsync(http, path, body);
        AssertError(response, error, HttpStatusCode.BadRequest, BodyApiKeyMessage, "invalid_request_error");
        Assert.Equal("api_key", (string?)error!["error"]!["param"]);
        Assert.False(Received(fx.Upstream, "sk-body-secret"));
    }

    [Fact]
    public async Task The_body_check_is_reusable_for_routes_that_read_a_json_document()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("""{"model":"m","api_key":"sk"}""");
        var e = Assert.Throws<GatewayException>(() => Api.Auth.KeyPlacement.RejectBodyApiKey(doc.RootElement));
        Assert.Equal(400, e.Status);
        Assert.Equal(BodyApiKeyMessage, e.Message);
        using var clean = System.Text.Json.JsonDocument.Parse("""{"model":"m","nested":{"api_key":"x"}}""");
        Api.Auth.KeyPlacement.RejectBodyApiKey(clean.RootElement);
    }

    [Theory]
    [InlineData("POST", "/v1/chat/completions?api_key=sk-query-secret")]
    [InlineData("POST", "/v1/chat/completions?stream=true&api_key=sk-query-secret")]
    [InlineData("POST", "/openai-compatible/v1/chat/completions?API_KEY=sk-query-secret")]
    [InlineData("POST", "/v1/responses?api_key=sk-query-secret")]
    [InlineData("GET", "/v1/responses/resp_123?api_key=sk-query-secret")]
    [InlineData("GET", "/providers?api_key=sk-query-secret")]
    [InlineData("GET", "/providers?include_models=true&api_key=sk-query-secret")]
    [InlineData("GET", "/acore/auth/validate?api_key=sk-query-secret")]
    [InlineData("GET", "/no/such/route?api_key=sk-query-secret")]
    public async Task A_query_api_key_elsewhere_than_model_listing_is_400(string method, string path)
    {
        using var http = fx.Http();
        var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? Wire.Json(ChatBody("openai-compatible/fake-model")) : null,
        });
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
        AssertError(response, body, HttpStatusCode.BadRequest, QueryApiKeyMessage, "invalid_request_error");
        Assert.DoesNotContain("sk-query-secret", body!.ToJsonString(), StringComparison.Ordinal);
        Assert.False(Received(fx.Upstream, "sk-query-secret"));
    }

    [Fact]
    public async Task The_server_token_is_checked_before_the_query_rule()
    {
        using var http = fx.Gateway.CreateClient();
        var (response, body) = await GetAsync(http, "/providers?api_key=sk-query-secret");
        AssertError(response, body, HttpStatusCode.Unauthorized, "Missing server Authorization bearer token");
    }

    [Theory]
    [InlineData("/v1/models?api_key=sk-x", "api_key requires provider=... so the override target is unambiguous.", "api_key")]
    [InlineData("/v1/models?base_url=http://127.0.0.1:9/v1", "base_url requires provider=... so the override target is unambiguous.", "base_url")]
    public async Task Model_listing_overrides_need_a_provider(string path, string message, string param)
    {
        using var http = fx.Http();
        var (response, body) = await GetAsync(http, path);
        AssertError(response, body, HttpStatusCode.BadRequest, message);
        Assert.Equal(param, (string?)body!["error"]!["param"]);
    }

    [Theory]
    [InlineData("/v1/models?provider=openai-compatible&api_key={0}")]
    [InlineData("/openai-compatible/v1/models?api_key={0}")]
    [InlineData("/openai-compatible/v1/models?api_key=Bearer%20{0}")]
    public async Task Model_listing_takes_a_query_key_which_wins_over_the_header(string template)
    {
        var key = "sk-q-" + Guid.NewGuid().ToString("N");
        using var http = Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", "sk-header-loses"));
        var (response, body) = await GetAsync(http, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, key));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        var listing = fx.Upstream.Requests.Last(r => r.Path.EndsWith("/models", StringComparison.Ordinal));
        Assert.Equal("Bearer " + key, AuthorizationOf(listing));
        Assert.False(Received(fx.Upstream, "sk-header-loses"));
    }

    [Fact]
    public async Task A_placeholder_query_key_falls_back_to_the_header()
    {
        var key = "sk-h-" + Guid.NewGuid().ToString("N");
        using var http = Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", key));
        var (response, _) = await GetAsync(http, "/v1/models?provider=openai-compatible&api_key=not-needed");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer " + key, AuthorizationOf(fx.Upstream.Requests.Last(r => r.Path.EndsWith("/models", StringComparison.Ordinal))));
    }
}
