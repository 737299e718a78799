using Aspire.Hosting.ApplicationModel;

namespace AbstractCore.AppHost.Tests;

/// <summary>Provider keys and the server token become secret parameters, shared by the services that use them.</summary>
public sealed class ProviderSecretParameterTests
{
    [Fact]
    public async Task A_key_both_the_api_and_the_jobs_worker_use_is_one_secret_parameter()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(
            timeout.Token, "--OPENAI_API_KEY=sk-test-key", "--ABSTRACTCORE_AUTH_TOKEN=server-token", "--ANTHROPIC_API_KEY=");

        var parameters = builder.Resources.OfType<ParameterResource>().ToList();
        var key = Assert.Single(parameters, p => p.Name == "openai-api-key");
        var token = Assert.Single(parameters, p => p.Name == "abstractcore-auth-token");
        Assert.True(key.Secret);
        Assert.True(token.Secret);
        Assert.Equal("sk-test-key", await key.GetValueAsync(timeout.Token));
        Assert.Equal("server-token", await token.GetValueAsync(timeout.Token));

        // Unset (here cleared, whatever the machine's environment holds) keys add nothing.
        Assert.DoesNotContain(parameters, p => p.Name == "anthropic-api-key");
    }

    [Fact]
    public async Task Azure_takes_its_key_as_a_secret_parameter_and_its_endpoint_version_and_deployments_as_plain_settings()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token,
        [
            .. AppModel.NoChatProvider, "--AZURE_OPENAI_API_KEY=azure-test-key", "--AZURE_OPENAI_ENDPOINT=https://example.openai.azure.com",
            "--AZURE_OPENAI_API_VERSION=2024-10-21", "--AZURE_OPENAI_DEPLOYMENTS=gpt-4o,text-embedding-3-small",
        ]);

        var key = Assert.Single(builder.Resources.OfType<ParameterResource>(), p => p.Name == "azure-openai-api-key");
        Assert.True(key.Secret);
        Assert.Equal("azure-test-key", await key.GetValueAsync(timeout.Token));
        var environment = await AppModel.EnvironmentAsync(builder, "api");
        Assert.Same(key, environment["AZURE_OPENAI_API_KEY"]);
        Assert.Equal("https://example.openai.azure.com", environment["AZURE_OPENAI_ENDPOINT"]);
        Assert.Equal("2024-10-21", environment["AZURE_OPENAI_API_VERSION"]);
        Assert.Equal("gpt-4o,text-embedding-3-small", environment["AZURE_OPENAI_DEPLOYMENTS"]);
    }
}
