using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Gateway;

/// <summary>The Api's /acore/models/* and /acore/prompt_cache/* reach Inference for provider onnx, or proxy to a base_url.</summary>
public sealed class GatewayControlPlaneTests : IAsyncLifetime
{
    private static readonly string SharedSystem = "Shared context. " + string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet. ", 10));

    private readonly GatewayFixture _fixture = new();

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Residency_through_the_gateway_is_the_inference_services_verified_state()
    {
        using var http = _fixture.Gateway.Http();
        var (response, load) = await Wire.PostAsync(http, "/acore/models/load", """{"provider":"onnx","model":"tiny"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((bool)load!["loaded_new"]!);
        Assert.Equal(ModelResidency.RuntimeId("tiny"), (string?)load["runtime"]!["runtime_id"]);
        Assert.True((bool)load["runtime"]!["provider_residency_verified"]!);

        var (_, loaded) = await Wire.GetAsync(http, "/acore/models/loaded");
        Assert.Equal("tiny", (string?)Assert.Single(loaded!["data"]!.AsArray())!["model"]);

        var (_, unload) = await Wire.PostAsync(http, "/acore/models/unload", """{"model":"onnx/tiny"}""");
        Assert.True((bool)unload!["unloaded"]!);

        var (_, remote) = await Wire.PostAsync(http, "/acore/models/load", """{"provider":"openai","model":"gpt-4o-mini"}""");
        Assert.False((bool)remote!["runtime"]!["provider_residency_verified"]!);
        Assert.False((bool)remote["runtime"]!["loaded"]!);
    }

    [Fact]
    public async Task A_second_request_sharing_a_long_prefix_under_the_same_key_reports_reused_tokens()
    {
        using var http = _fixture.Gateway.Http();
        var (_, set) = await Wire.PostAsync(http, "/acore/prompt_cache/set", """{"provider":"onnx","model":"tiny","key":"team","make_default":false}""");
        Assert.True((bool)set!["supported"]!);

        foreach (var question in (string[])["What is it?", "Why is it?"])
        {
            var (response, chat) = await Wire.PostAsync(http, "/v1/chat/completions",
                Wire.Chat("onnx/tiny", new JsonObject { ["prompt_cache_key"] = "team" }, ("system", SharedSystem), ("user", question)));
            Assert.True(response.StatusCode == HttpStatusCode.OK, chat?.ToJsonString());
            Assert.Equal(TinyVocabulary.ChatAnswer, (string?)chat!["choices"]![0]!["message"]!["content"]);
        }

        var (_, stats) = await Wire.GetAsync(http, "/acore/prompt_cache/stats?provider=onnx&model=tiny");
        Assert.True((bool)stats!["supported"]!);
        Assert.Equal(1, (int)stats["stats"]!["hits"]!);
        Assert.True((int)stats["stats"]!["reused_tokens"]! > SharedSystem.Length);
    }

    [Fact]
    public async Task Other_providers_have_no_prompt_cache_and_no_selector_is_unsupported()
    {
        using var http = _fixture.Gateway.Http();
        var (_, remote) = await Wire.PostAsync(http, "/acore/prompt_cache/set", """{"provider":"openai","model":"gpt-4o","key":"k"}""");
        Assert.Equal("prompt_cache_unsupported", (string?)remote!["code"]);

        var (_, none) = await Wire.PostAsync(http, "/acore/prompt_cache/set", """{"key":"k"}""");
        Assert.False((bool)none!["supported"]!);
        Assert.Equal("base_url or provider+model is required for prompt cache control plane calls", (string?)none["error"]);

        var (bad, _) = await Wire.PostAsync(http, "/acore/prompt_cache/set", """{"provider":"onnx","model":"tiny","key":"k","api_key":"sk-x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Proxy_mode_forwards_to_the_base_urls_root()
    {
        using var http = _fixture.Gateway.Http();
        await Wire.PostAsync(http, "/acore/models/load", """{"provider":"onnx","model":"tiny"}""");

        var (response, stats) = await Wire.GetAsync(http, "/acore/prompt_cache/stats?base_url=" + Uri.EscapeDataString(_fixture.Inference.V1));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tiny", (string?)Assert.Single(stats!["runtimes"]!.AsArray())!["model"]);

        var (_, refused) = await Wire.GetAsync(http, "/acore/prompt_cache/stats?base_url=" + Uri.EscapeDataString("http://203.0.113.7/v1"));
        Assert.False((bool)refused!["supported"]!);
    }
}
