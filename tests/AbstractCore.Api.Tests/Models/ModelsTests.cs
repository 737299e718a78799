using AbstractCore.Api.Tests.Infrastructure;
using OpenAI;

namespace AbstractCore.Api.Tests.Models;

public sealed class ModelsTests : IClassFixture<GatewayFixture>
{
    private readonly GatewayFixture fx;

    public ModelsTests(GatewayFixture fixture)
    {
        fx = fixture;
        // Set before any listing: the gateway caches a provider's list for a while.
        fx.Upstream.Models.Clear();
        fx.Upstream.Models.AddRange(["fake-model", "org/other-model"]);
    }

    [Fact]
    public async Task Models_are_listed_as_provider_slash_model_from_configured_providers()
    {
        var client = new OpenAIClient(new System.ClientModel.ApiKeyCredential(GatewayFixture.Token), new OpenAIClientOptions
        {
            Endpoint = new Uri(fx.Gateway.Server.BaseAddress, "v1"),
            Transport = new System.ClientModel.Primitives.HttpClientPipelineTransport(fx.Gateway.CreateClient()),
        }).GetOpenAIModelClient();

        var models = (await client.GetModelsAsync()).Value.Select(m => m.Id).ToList();

        // vllm is configured too but its URL is closed: it is left out, not an error.
        Assert.Equal(["openai-compatible/fake-model", "openai-compatible/org/other-model"], models);
    }

    [Fact]
    public async Task A_provider_filter_lists_only_that_provider()
    {
        using var http = fx.Http();
        var body = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/openai-compatible/v1/models"))!;
        Assert.Equal("list", (string?)body["object"]);
        Assert.All(body["data"]!.AsArray(), m => Assert.StartsWith("openai-compatible/", (string?)m!["id"], StringComparison.Ordinal));
    }
}
