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
}
