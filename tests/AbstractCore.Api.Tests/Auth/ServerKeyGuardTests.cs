using System.Net;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Configuration;
using AbstractCore.Providers;
using Microsoft.Extensions.Configuration;
using static AbstractCore.Api.Tests.Auth.AuthTestKit;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>An open gateway (<c>ALLOW_UNAUTHENTICATED=1</c>, no token) whose server holds <c>OPENAI_API_KEY</c>;
/// <c>openai</c> (and <c>openai-compatible</c>, through the same settings) point at <see cref="OpenAI"/>, the
/// keyless <c>lmstudio</c> at <see cref="Local"/>.</summary>
public sealed class OpenGatewayWithServerKeyFixture : IAsyncLifetime
{
    public const string ServerKey = "sk-server-held-openai";

    public FakeOpenAIUpstream OpenAI { get; private set; } = null!;
    public FakeOpenAIUpstream Local { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        OpenAI = await FakeOpenAIUpstream.StartAsync();
        Local = await FakeOpenAIUpstream.StartAsync();
        Local.Models.Clear();
        Local.Models.Add("local-model");
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["OPENAI_API_KEY"] = ServerKey,
            ["OPENAI_BASE_URL"] = OpenAI.BaseUrl.AbsoluteUri,
            ["LMSTUDIO_BASE_URL"] = Local.BaseUrl.AbsoluteUri,
            ["OLLAMA_BASE_URL"] = "http://127.0.0.1:1",
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OpenAI.DisposeAsync();
        await Local.DisposeAsync();
    }
}

/// <summary>§2.2 server-held key guard: without the server token a request may not spend a key the server holds.</summary>
public sealed class ServerKeyGuardTests(OpenGatewayWithServerKeyFixture fx) : IClassFixture<OpenGatewayWithServerKeyFixture>
{
    private static readonly string OpenAIMessage = ServerKeyMessage("OPENAI_API_KEY");

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/openai/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/responses", """{"model":"openai/gpt-4o-mini","input":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"openai/gpt-4o-mini","input":"hi","stream":true}""")]
    [InlineData("/v1/responses", """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"openai/gpt-4o-mini","base_url":"http://203.0.113.7/v1","messages":[{"role":"user","content":"hi"}]}""")]
    public async Task Anonymous_use_of_a_server_held_key_is_401_even_with_allow_unauthenticated(string path, string body)
    {
        using var http = fx.Gateway.CreateClient();
        var before = fx.OpenAI.Requests.Count;
        var (response, error) = await Wire.PostAsync(http, path, body);
        AssertError(response, error, HttpStatusCode.Unauthorized, OpenAIMessage, "authentication_error");
        Assert.Equal(before, fx.OpenAI.Requests.Count);
        Assert.False(Received(fx.OpenAI, OpenGatewayWithServerKeyFixture.ServerKey));
    }

    [Theory]
    [InlineData("X-AbstractCore-Provider-API-Key", "sk-caller-own")]
    [InlineData("X-Provider-API-Key", "Bearer sk-caller-own")]
    [InlineData("Authorization", "Bearer sk-caller-own")]
    public async Task An_explicit_provider_key_passes_the_guard_and_is_the_only_key_sent(string header, string value)
    {
        using var http = Client(fx.Gateway, null, (header, value));
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai/gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-caller-own", AuthorizationOf(fx.OpenAI.LastChatRequest));
        Assert.False(Received(fx.OpenAI, OpenGatewayWithServerKeyFixture.ServerKey));
    }

    [Fact]
    public async Task Keyless_providers_are_not_guarded()
    {
        using var http = fx.Gateway.CreateClient();
        var (response, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("lmstudio/local-model"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(AuthorizationOf(fx.Local.LastChatRequest));
    }

    [Fact]
    public async Task Anonymous_model_listing_silently_skips_providers_with_a_server_key()
    {
        using var http = fx.Gateway.CreateClient();
        var before = fx.OpenAI.Requests.Count;
        var response = await http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsArray()
            .Select(m => (string?)m!["id"]).ToList();
        Assert.Contains("lmstudio/local-model", ids);
        Assert.DoesNotContain(ids, id => id!.StartsWith("openai", StringComparison.Ordinal));
        Assert.DoesNotContain("openai", Wire.Header(response, "X-AbstractCore-Warning") ?? "", StringComparison.Ordinal);
        Assert.Equal(before, fx.OpenAI.Requests.Count);
    }

    [Theory]
    [InlineData("/v1/models?provider=openai")]
    [InlineData("/openai/v1/models")]
    [InlineData("/v1/models?provider=openai&base_url=http://127.0.0.1:9/v1")]
    [InlineData("/providers?include_models=true")]
    public async Task Anonymous_listing_of_a_keyed_provider_is_401(string path)
    {
        using var http = fx.Gateway.CreateClient();
        var before = fx.OpenAI.Requests.Count;
        var (response, body) = await GetAsync(http, path);
        AssertError(response, body, HttpStatusCode.Unauthorized, OpenAIMessage, "authentication_error");
        Assert.Equal(before, fx.OpenAI.Requests.Count);
    }

    [Fact]
    public async Task Anonymous_provider_status_names_the_guard_without_using_the_key()
    {
        using var http = fx.Gateway.CreateClient();
        var before = fx.OpenAI.Requests.Count;
        var (response, body) = await GetAsync(http, "/providers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var openai = body!["providers"]!.AsArray().Single(p => (string?)p!["name"] == "openai")!;
        Assert.Equal("unavailable", (string?)openai["status"]);
        Assert.Equal(OpenAIMessage, (string?)openai["error"]);
        Assert.Equal("available", (string?)body["providers"]!.AsArray().Single(p => (string?)p!["name"] == "lmstudio")!["status"]);
        Assert.Equal(before, fx.OpenAI.Requests.Count);
    }

    [Theory]
    [InlineData("/v1/models?provider=openai&api_key=sk-caller-query")]
    [InlineData("/openai/v1/models?api_key=sk-caller-query")]
    public async Task Anonymous_listing_with_its_own_key_uses_that_key(string path)
    {
        using var http = fx.Gateway.CreateClient();
        var (response, _) = await GetAsync(http, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-caller-query", AuthorizationOf(fx.OpenAI.Requests[^1]));
        Assert.False(Received(fx.OpenAI, OpenGatewayWithServerKeyFixture.ServerKey));
    }

    [Theory]
    [InlineData(""","api_key":"sk-body" """, BodyApiKeyMessage)]
    public async Task Request_checks_come_before_the_guard(string extra, string message)
    {
        using var http = fx.Gateway.CreateClient();
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai/gpt-4o-mini", extra));
        AssertError(response, body, HttpStatusCode.BadRequest, message);
    }
}

/// <summary>The guard names the setting that holds each provider's key.</summary>
public sealed class ServerKeyGuardMessageTests
{
    [Fact]
    public async Task Each_provider_names_its_setting()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "true",
            ["OPENAI_API_KEY"] = "sk-1",
            ["ANTHROPIC_API_KEY"] = "sk-2",
            ["OPENROUTER_API_KEY"] = "sk-3",
            ["PORTKEY_API_KEY"] = "sk-4",
            ["VLLM_API_KEY"] = "sk-5",
            ["LMSTUDIO_BASE_URL"] = "http://127.0.0.1:1/v1",
        });
        using var http = gateway.CreateClient();
        foreach (var (model, setting) in new[]
        {
            ("openai/gpt-4o", "OPENAI_API_KEY"),
            ("anthropic/claude-x", "ANTHROPIC_API_KEY"),
            ("openrouter/meta/llama", "OPENROUTER_API_KEY"),
            ("portkey/gpt-4o", "PORTKEY_API_KEY"),
            ("openai-compatible/m", "OPENAI_API_KEY"),
            ("vllm/m", "VLLM_API_KEY"),
        })
        {
            var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody(model));
            AssertError(response, body, HttpStatusCode.Unauthorized, ServerKeyMessage(setting), "authentication_error");
        }

        // Request checks (here Anthropic's response_format validation) come before the guard.
        var (invalid, error) = await Wire.PostAsync(http, "/v1/chat/completions",
            ChatBody("anthropic/claude-x", ""","response_format":{"type":"bogus"}"""));
        AssertError(invalid, error, HttpStatusCode.BadRequest,
            "response_format.type must be text, json_object or json_schema (with json_schema.schema).");

        // No key held: no guard (the closed upstream answers instead).
        var (keyless, _) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("lmstudio/m"));
        Assert.NotEqual(HttpStatusCode.Unauthorized, keyless.StatusCode);
    }

    [Fact]
    public async Task The_openai_compatible_key_of_its_own_is_named_when_that_is_the_one_held()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["OPENAI_COMPATIBLE_API_KEY"] = "sk-c",
        });
        using var http = gateway.CreateClient();
        var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions", ChatBody("openai-compatible/m"));
        AssertError(response, body, HttpStatusCode.Unauthorized, ServerKeyMessage("OPENAI_COMPATIBLE_API_KEY"));
        Assert.DoesNotContain("sk-c", body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_from_the_config_file_is_server_held_too()
    {
        var path = Path.Combine(Path.GetTempPath(), "acore-guard-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, """{"api_keys":{"anthropic":"sk-from-file"}}""");
        try
        {
            var configuration = new ConfigurationBuilder()
                .Add(new ConfigFileSource { Path = path, Environment = _ => null, Warnings = TextWriter.Null })
                .Build();
            var resolver = new ProviderResolver(configuration);
            var anthropic = ProviderCatalog.Get("anthropic");
            Assert.Equal("sk-from-file", resolver.ServerKey(anthropic));

            var e = await Assert.ThrowsAsync<GatewayException>(() => resolver.ResolveAsync(anthropic, ProviderRequest.Anonymous, default));
            Assert.Equal(401, e.Status);
            Assert.Equal(ServerKeyMessage("ANTHROPIC_API_KEY"), e.Message);

            var endpoint = await resolver.ResolveAsync(anthropic, ProviderRequest.Authenticated, default);
            Assert.Equal("sk-from-file", endpoint.ApiKey);
            var own = await resolver.ResolveAsync(anthropic, new ProviderRequest(null, "sk-own", false), default);
            Assert.Equal("sk-own", own.ApiKey);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>With a token configured, the right token lets the server's key be used; a missing one never reaches the guard.</summary>
public sealed class AuthenticatedServerKeyTests
{
    [Fact]
    public async Task Server_authenticated_requests_use_the_server_key()
    {
        await using var upstream = await FakeOpenAIUpstream.StartAsync();
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["OPENAI_API_KEY"] = "sk-server",
            ["OPENAI_BASE_URL"] = upstream.BaseUrl.AbsoluteUri,
            ["OLLAMA_BASE_URL"] = "http://127.0.0.1:1",
            ["LMSTUDIO_BASE_URL"] = "http://127.0.0.1:1/v1",
        });
        using var authed = Client(gateway, "Bearer " + Token);
        var (response, _) = await Wire.PostAsync(authed, "/v1/chat/completions", ChatBody("openai/gpt-4o-mini"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer sk-server", AuthorizationOf(upstream.LastChatRequest));

        var models = await authed.GetStringAsync("/v1/models");
        Assert.Contains("openai/fake-model", models, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await authed.GetAsync("/providers?include_models=true")).StatusCode);
        Assert.False(Received(upstream, Token));

        using var anonymous = gateway.CreateClient();
        var (refused, body) = await Wire.PostAsync(anonymous, "/v1/chat/completions", ChatBody("openai/gpt-4o-mini"));
        AssertError(refused, body, HttpStatusCode.Unauthorized, "Missing server Authorization bearer token");
    }
}
