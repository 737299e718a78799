using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>A token-guarded gateway with two upstreams: <c>openai-compatible</c> (no server key) and <c>vllm</c>
/// (server key <see cref="VllmServerKey"/>).</summary>
public sealed class TwoUpstreamsFixture : IAsyncLifetime
{
    public const string VllmServerKey = "vllm-server-held-key";

    public FakeOpenAIUpstream Compatible { get; private set; } = null!;
    public FakeOpenAIUpstream Vllm { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Compatible = await FakeOpenAIUpstream.StartAsync();
        Vllm = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Compatible.BaseUrl.AbsoluteUri,
            ["VLLM_BASE_URL"] = Vllm.BaseUrl.AbsoluteUri,
            ["VLLM_API_KEY"] = VllmServerKey,
            ["LMSTUDIO_BASE_URL"] = "http://127.0.0.1:1/v1",
            ["OLLAMA_BASE_URL"] = "http://127.0.0.1:1",
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Compatible.DisposeAsync();
        await Vllm.DisposeAsync();
    }
}

/// <summary>§2.2: the provider-key headers, placeholders, and which key reaches which upstream.</summary>
public sealed class ProviderKeyTests(TwoUpstreamsFixture fx) : IClassFixture<TwoUpstreamsFixture>
{
    private async Task<RecordedRequest> SendAsync(string model, params (string Name, string Value)[] headers)
    {
        using var http = Client(fx.Gateway, "Bearer " + Token, headers);
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody(model));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body?.ToJsonString());
        return (model.StartsWith("vllm/", StringComparison.Ordinal) ? fx.Vllm : fx.Compatible).LastChatRequest;
    }

    [Theory]
    [InlineData("X-AbstractCore-Provider-API-Key", "sk-explicit")]
    [InlineData("X-AbstractCore-Provider-API-Key", "Bearer sk-explicit")]
    [InlineData("X-AbstractCore-Provider-API-Key", "bearer   sk-explicit ")]
    [InlineData("x-abstractcore-provider-api-key", "sk-explicit")]
    [InlineData("X-Provider-API-Key", "sk-explicit")]
    [InlineData("X-Provider-API-Key", "Bearer sk-explicit")]
    public async Task The_provider_key_header_is_sent_upstream_as_a_bearer_key(string header, string value)
    {
        var sent = await SendAsync("openai-compatible/fake-model", (header, value));
        Assert.Equal("Bearer sk-explicit", AuthorizationOf(sent));
    }

    [Fact]
    public async Task The_new_header_wins_over_the_legacy_one()
    {
        var sent = await SendAsync("openai-compatible/fake-model",
            ("X-AbstractCore-Provider-API-Key", "sk-new"), ("X-Provider-API-Key", "sk-legacy"));
        Assert.Equal("Bearer sk-new", AuthorizationOf(sent));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-needed")]
    [InlineData("NOT_NEEDED")]
    [InlineData("notneeded")]
    [InlineData("Unused")]
    [InlineData("dummy")]
    [InlineData("EMPTY")]
    [InlineData("none")]
    [InlineData("Bearer none")]
    [InlineData("bearer Dummy")]
    public async Task Placeholder_values_are_ignored(string placeholder)
    {
        // openai-compatible has no server key: nothing to send.
        var plain = await SendAsync("openai-compatible/fake-model", ("X-AbstractCore-Provider-API-Key", placeholder));
        Assert.Null(AuthorizationOf(plain));

        // vllm has one: the placeholder does not replace it.
        var keyed = await SendAsync("vllm/fake-model", ("X-Provider-API-Key", placeholder));
        Assert.Equal("Bearer " + TwoUpstreamsFixture.VllmServerKey, AuthorizationOf(keyed));
    }

    [Fact]
    public async Task With_server_auth_enabled_the_server_token_never_reaches_an_upstream()
    {
        await SendAsync("openai-compatible/fake-model");
        await SendAsync("vllm/fake-model");
        using var http = Client(fx.Gateway, "Bearer " + Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/openai-compatible/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/providers?include_models=true")).StatusCode);
        await Wire.PostAsync(http, "/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi"}""");

        Assert.NotEmpty(fx.Compatible.Requests);
        Assert.False(Received(fx.Compatible, Token));
        Assert.False(Received(fx.Vllm, Token));
        Assert.Null(AuthorizationOf(fx.Compatible.LastChatRequest));
    }

    [Fact]
    public async Task A_key_sent_for_one_provider_is_not_sent_to_another()
    {
        const string ForVllm = "sk-only-for-vllm";
        const string ForCompatible = "sk-only-for-compatible";
        Assert.Equal("Bearer " + ForVllm, AuthorizationOf(await SendAsync("vllm/fake-model", ("X-AbstractCore-Provider-API-Key", ForVllm))));
        Assert.Equal("Bearer " + ForCompatible,
            AuthorizationOf(await SendAsync("openai-compatible/fake-model", ("X-AbstractCore-Provider-API-Key", ForCompatible))));

        // The same keys on requests that touch every provider (listing): they go nowhere.
        using var http = Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", ForVllm));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/providers?include_models=true")).StatusCode);

        // A following request without a key uses the server's own (or none), not a previous caller's.
        Assert.Equal("Bearer " + TwoUpstreamsFixture.VllmServerKey, AuthorizationOf(await SendAsync("vllm/fake-model")));
        Assert.Null(AuthorizationOf(await SendAsync("openai-compatible/fake-model")));

        Assert.False(Received(fx.Compatible, ForVllm));
        Assert.False(Received(fx.Vllm, ForCompatible));
        Assert.False(Received(fx.Compatible, TwoUpstreamsFixture.VllmServerKey));
        var listing = fx.Vllm.Requests.Last(r => r.Path.EndsWith("/models", StringComparison.Ordinal));
        Assert.Equal("Bearer " + TwoUpstreamsFixture.VllmServerKey, AuthorizationOf(listing));
    }
}

/// <summary>An upstream that quotes the key it was sent in its error message does not get it passed on.</summary>
public sealed class KeyEchoTests(TwoUpstreamsFixture fx) : IClassFixture<TwoUpstreamsFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("sk-explicit-echoed-key")]
    public async Task Keys_quoted_by_an_upstream_error_are_masked(string? explicitKey)
    {
        var key = explicitKey ?? TwoUpstreamsFixture.VllmServerKey;
        fx.Vllm.Enqueue(FakeReply.Error(401, $"Incorrect API key provided: {key}. Check it.", "invalid_request_error", "invalid_api_key"));
        using var http = explicitKey is null
            ? Client(fx.Gateway, "Bearer " + Token)
            : Client(fx.Gateway, "Bearer " + Token, ("X-AbstractCore-Provider-API-Key", explicitKey));
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("vllm/fake-model"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Provider 'vllm' answered HTTP 401: Incorrect API key provided: [REDACTED]. Check it.", (string?)body!["error"]!["message"]);
        Assert.DoesNotContain(key, body.ToJsonString(), StringComparison.Ordinal);
    }
}

/// <summary>§2.2 with server auth disabled: <c>Authorization: Bearer &lt;key&gt;</c> is the provider key.</summary>
public sealed class AuthorizationAsProviderKeyTests
{
    [Fact]
    public async Task Without_server_auth_a_bearer_key_goes_to_the_chosen_provider_only()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        await using var other = await FakeOpenAIUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["OPENAI_COMPATIBLE_BASE_URL"] = upstream.BaseUrl.AbsoluteUri,
            ["LMSTUDIO_BASE_URL"] = other.BaseUrl.AbsoluteUri,
        });
        using var http = Client(gateway, "Bearer sk-caller");
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/fake-model"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-caller", AuthorizationOf(upstream.LastChatRequest));

        // The listing of every provider does not hand the caller's key around.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models")).StatusCode);
        Assert.Contains(other.Requests, r => r.Path.EndsWith("/models", StringComparison.Ordinal));
        Assert.False(Received(other, "sk-caller"));

        // The explicit header wins over Authorization.
        using var both = Client(gateway, "Bearer sk-caller", ("X-AbstractCore-Provider-API-Key", "sk-header"));
        Assert.Equal(HttpStatusCode.OK, (await Wire.PostAsync(both, "/v1/chat/completions", ChatBody("openai-compatible/fake-model"))).Response.StatusCode);
        Assert.Equal("Bearer sk-header", AuthorizationOf(upstream.LastChatRequest));
    }
}
