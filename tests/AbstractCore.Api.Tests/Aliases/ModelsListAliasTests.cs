using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary><c>GET /v1/models</c> lists the aliases with their deployments' names, filtered by capability like every model,
/// and never a deployment's URL or key.</summary>
public sealed class ModelsListAliasTests : IAsyncLifetime
{
    private const string Token = "models-alias-token";
    private GatewayFactory Gateway { get; set; } = null!;

    public Task InitializeAsync()
    {
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = Token,
            ["ALIAS_KEY"] = "sk-models-alias-secret",
            ["ABSTRACTCORE_MODEL_ALIASES"] = """
                {"team/smart": {"deployments": [
                   {"name": "a", "model": "vllm/qwen3", "base_url": "http://127.0.0.1:1/v1", "api_key_env": "ALIAS_KEY", "context_window": 32768},
                   {"name": "b", "model": "vllm/qwen3", "base_url": "http://127.0.0.1:2/v1", "context_window": 131072}]},
                 "team/embed": {"deployments": [{"name": "e", "model": "openai/text-embedding-3-small", "base_url": "http://127.0.0.1:3/v1"}]}}
                """,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();

    [Fact]
    public async Task Aliases_are_listed_with_their_deployments_names()
    {
        using var http = Gateway.Http(Token);
        var (response, body) = await Wire.GetAsync(http, "/v1/models");
        var text = body!.ToJsonString();

        Assert.Equal(200, (int)response.StatusCode);
        var smart = body["data"]!.AsArray().Single(m => (string?)m!["id"] == "team/smart")!;
        Assert.Equal(["a", "b"], smart["deployments"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(131072, (int)smart["context_length"]!);
        Assert.Equal("abstractcore", (string?)smart["owned_by"]);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-models-alias-secret", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embeddings", "team/embed", "team/smart")]
    [InlineData("text", "team/smart", "team/embed")]
    public async Task Aliases_are_filtered_by_their_deployments_capabilities(string output, string listed, string left)
    {
        using var http = Gateway.Http(Token);
        var (_, body) = await Wire.GetAsync(http, $"/v1/models?output_type={output}");
        var ids = body!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();

        Assert.Contains(listed, ids);
        Assert.DoesNotContain(left, ids);
    }
}
