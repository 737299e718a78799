using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>A token-guarded gateway whose server holds keys for <c>openai</c> and <c>openai-compatible</c> (both at
/// <see cref="Configured"/>), and a second loopback server (<see cref="Chosen"/>) a request can point base_url at.</summary>
public sealed class BaseUrlGuardFixture : IAsyncLifetime
{
    public const string OpenAIKey = "sk-server-openai-held";
    public const string CompatibleKey = "sk-server-compatible-held";

    public FakeOpenAIUpstream Configured { get; private set; } = null!;
    public FakeOpenAIUpstream Chosen { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Configured = await FakeOpenAIUpstream.StartAsync();
        Chosen = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_API_KEY"] = OpenAIKey,
            ["OPENAI_BASE_URL"] = Configured.BaseUrl.AbsoluteUri,
            ["OPENAI_COMPATIBLE_API_KEY"] = CompatibleKey,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Configured.BaseUrl.AbsoluteUri,
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Configured.DisposeAsync();
        await Chosen.DisposeAsync();
    }

    public bool ServerKeyLeaked() =>
        Received(Chosen, OpenAIKey) || Received(Chosen, CompatibleKey) || Received(Chosen, Token) || Received(Configured, Token);
}

/// <summary>§2.3: the base_url exfiltration guard (403), its place after the 401 guard, and that a server-held key never
/// follows a request-chosen URL.</summary>
public sealed class BaseUrlGuardTests(BaseUrlGuardFixture fx) : IClassFixture<BaseUrlGuardFixture>
{
    private static string Body(string model, string baseUrl, string path = "/v1/chat/completions") => path.Contains("responses", StringComparison.Ordinal)
        ? $$"""{"model":"{{model}}","input":"hi","base_url":"{{baseUrl}}"}"""
        : ChatBody(model, $$""","base_url":"{{baseUrl}}" """);

    [Theory]
    [InlineData("openai", "OPENAI_API_KEY", "http://203.0.113.7/v1", "/v1/chat/completions")]
    [InlineData("openai", "OPENAI_API_KEY", "https://10.1.2.3:8443/v1", "/v1/chat/completions")]
    [InlineData("openai", "OPENAI_API_KEY", "http://[2001:db8::1]/v1", "/v1/chat/completions")]
    [InlineData("openai", "OPENAI_API_KEY", "http://169.254.169.254/latest", "/v1/responses")]
    [InlineData("openai-compatible", "OPENAI_COMPATIBLE_API_KEY", "http://203.0.113.7/v1", "/v1/chat/completions")]
    public async Task A_non_loopback_base_url_without_an_explicit_key_is_403_when_the_server_holds_a_key(
        string provider, string setting, string baseUrl, string path)
    {
        using var http = Client(fx.Gateway, "Bearer " + Token);
        var (response, body) = await Wire.PostAsync(http, path, Body(provider + "/m", baseUrl, path));
        AssertError(response, body, HttpStatusCode.Forbidden, ExfiltrationMessage(setting, provider), "forbidden");
        Assert.False(fx.ServerKeyLeaked());
    }

    [Fact]
    public async Task With_an_explicit_key_a_non_allowlisted_base_url_gets_the_policy_403()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", "sk-own"));
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Body("openai/m", "http://203.0.113.7/v1"));
        AssertError(response, body, HttpStatusCode.Forbidden, BaseUrlRefusedMessage, "forbidden");
    }

    [Fact]
    public async Task A_provider_the_server_holds_no_key_for_gets_the_policy_403()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token);
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Body("lmstudio/m", "http://203.0.113.7/v1"));
        AssertError(response, body, HttpStatusCode.Forbidden, BaseUrlRefusedMessage, "forbidden");
    }

    [Fact]
    public async Task A_server_held_key_never_goes_to_a_request_chosen_loopback_url()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token);
        var before = fx.Configured.Requests.Count;

        // openai-compatible takes no key: served, without one.
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", Body("openai-compatible/fake-model", fx.Chosen.BaseUrl.AbsoluteUri));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(AuthorizationOf(fx.Chosen.LastChatRequest));

        // openai needs one: refused rather than sent the server's, saying so (the key is set; it just never follows the URL).
        var (refused, body) = await Wire.PostAsync(http, "/v1/chat/completions", Body("openai/fake-model", fx.Chosen.BaseUrl.AbsoluteUri));
        AssertError(refused, body, HttpStatusCode.Unauthorized,
            "Provider 'openai' has OPENAI_API_KEY set on the server, but a server-held key is never sent to a request-chosen base_url. " +
            "Send the key for that URL in X-AbstractCore-Provider-API-Key, or omit base_url to use the configured one.", "authentication_error");
        Assert.Equal("server_key_not_forwarded", (string?)body!["error"]!["code"]);
        Assert.Equal("base_url", (string?)body["error"]!["param"]);

        // Listing with a chosen URL: same.
        var (listing, _) = await GetAsync(http, "/v1/models?provider=openai-compatible&base_url=" + Uri.EscapeDataString(fx.Chosen.BaseUrl.AbsoluteUri));
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode);

        Assert.Equal(before, fx.Configured.Requests.Count);
        Assert.False(fx.ServerKeyLeaked());
    }

    [Fact]
    public async Task An_explicit_key_goes_to_the_chosen_loopback_url_alone()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", "sk-callers-own"));
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", Body("openai/fake-model", fx.Chosen.BaseUrl.AbsoluteUri));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-callers-own", AuthorizationOf(fx.Chosen.LastChatRequest));
        Assert.False(Received(fx.Configured, "sk-callers-own"));
        Assert.False(fx.ServerKeyLeaked());
    }

    [Fact]
    public async Task Model_load_applies_the_base_url_policy_before_echoing_it()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token);
        var (refused, body) = await Wire.PostAsync(http, "/acore/models/load", """{"provider":"openai","model":"m","base_url":"http://203.0.113.7/v1"}""");
        AssertError(refused, body, HttpStatusCode.Forbidden, BaseUrlRefusedMessage, "forbidden");

        var (loaded, runtime) = await Wire.PostAsync(http, "/acore/models/load", $$"""{"provider":"openai","model":"m","base_url":"{{fx.Chosen.BaseUrl.AbsoluteUri}}"}""");
        Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        Assert.Equal(fx.Chosen.BaseUrl.AbsoluteUri, (string?)runtime!["runtime"]!["base_url"]);
    }

    [Fact]
    public async Task Model_listing_applies_the_same_guard()
    {
        using var http = Client(fx.Gateway, "Bearer " + Token);
        var (response, body) = await GetAsync(http, "/v1/models?provider=openai&base_url=" + Uri.EscapeDataString("http://203.0.113.7/v1"));
        AssertError(response, body, HttpStatusCode.Forbidden, ExfiltrationMessage("OPENAI_API_KEY", "openai"), "forbidden");
    }

    [Fact]
    public async Task Without_server_auth_the_401_guard_fires_before_the_403()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["OPENAI_API_KEY"] = "sk-held",
        });
        using var http = gateway.CreateClient();
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", Body("openai/m", "http://203.0.113.7/v1"));
        AssertError(response, body, HttpStatusCode.Unauthorized, ServerKeyMessage("OPENAI_API_KEY"));

        // With its own key the anonymous caller passes both guards and meets the policy.
        using var own = Client(gateway, null, ("X-AbstractCore-Provider-API-Key", "sk-own"));
        var (policy, error) = await Wire.PostAsync(own, "/v1/chat/completions", Body("openai/m", "http://203.0.113.7/v1"));
        AssertError(policy, error, HttpStatusCode.Forbidden, BaseUrlRefusedMessage);

        // And to a loopback URL it is served with that key.
        var (served, _) = await Wire.PostAsync(own, "/v1/chat/completions", Body("openai/fake-model", upstream.BaseUrl.AbsoluteUri));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("Bearer sk-own", AuthorizationOf(upstream.LastChatRequest));
        Assert.False(Received(upstream, "sk-held"));
    }
}
