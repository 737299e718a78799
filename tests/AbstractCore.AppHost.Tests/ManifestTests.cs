using System.Text.Json;
using System.Text.RegularExpressions;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The deployment manifest (<c>--publisher manifest</c>): every resource, its type, what it references, and secrets
/// only as secret parameters. Published with settings a developer machine here has (executable mode, keys in the
/// environment), which must not leak into what is deployed.
/// </summary>
public sealed partial class ManifestTests : IClassFixture<ManifestTests.Published>
{
    // Values handed to the AppHost while publishing; a manifest must carry references to parameters, never these.
    private static readonly string Token = $"token-{Guid.NewGuid():N}";
    private static readonly string OpenAiKey = $"sk-{Guid.NewGuid():N}";

    private static readonly string[] Services = ["api", "inference", "jobs"];

    private readonly PublishedManifest _manifest;

    public ManifestTests(Published published) => _manifest = published.Manifest;

    /// <summary>One publish shared by the checks (it runs the whole AppHost model).</summary>
    public sealed class Published : IAsyncLifetime
    {
        public PublishedManifest Manifest { get; private set; } = null!;

        public async Task InitializeAsync() => Manifest = await ManifestPublisher.PublishAsync(
            "--Infra:Mode=executable",
            "--Api:Replicas=2",
            $"--ABSTRACTCORE_AUTH_TOKEN={Token}",
            $"--OPENAI_API_KEY={OpenAiKey}",
            "--OPENAI_BASE_URL=https://upstream.example/v1");

        public Task DisposeAsync()
        {
            Manifest.Document.Dispose();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public void EveryServiceAndServerIsAResourceAndNothingElseRuns()
    {
        var running = _manifest.Names()
            .Where(name => _manifest.Type(name).StartsWith("container.", StringComparison.Ordinal)
                || _manifest.Type(name).StartsWith("project.", StringComparison.Ordinal)
                || _manifest.Type(name).StartsWith("executable.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(["api", "cache", "inference", "jobs", "messaging"], running);
    }

    [Theory]
    [InlineData("cache", "redis", 6379)]
    [InlineData("messaging", "rabbitmq", 5672)]
    public void RedisAndRabbitMqAreContainersEvenWhenThisMachineRunsThemAsExecutables(string name, string image, int port)
    {
        Assert.Matches(@"^container\.v\d+$", _manifest.Type(name));
        var resource = _manifest.Resource(name);
        Assert.Contains($"/{image}:", resource.GetProperty("image").GetString(), StringComparison.Ordinal);

        var tcp = resource.GetProperty("bindings").GetProperty("tcp");
        Assert.Equal("tcp", tcp.GetProperty("protocol").GetString());
        Assert.Equal(port, tcp.GetProperty("targetPort").GetInt32());

        // Clients reach it through its own binding, with a password generated at deployment.
        var connection = resource.GetProperty("connectionString").GetString()!;
        Assert.Contains($"{{{name}.bindings.tcp.host}}", connection, StringComparison.Ordinal);
        Assert.Contains($"{{{name}-password", connection, StringComparison.Ordinal);
        AssertGeneratedSecret($"{name}-password");
    }

    [Theory]
    [InlineData("api", "AbstractCore.Api")]
    [InlineData("inference", "AbstractCore.Inference")]
    [InlineData("jobs", "AbstractCore.Jobs")]
    public void EachServiceIsItsProjectWithAnHttpBinding(string name, string project)
    {
        Assert.Matches(@"^project\.v\d+$", _manifest.Type(name));
        var resource = _manifest.Resource(name);

        var path = resource.GetProperty("path").GetString()!;
        Assert.EndsWith($"{project}/{project}.csproj", path.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.GetFullPath(path, _manifest.Folder)), $"{path} (relative to the manifest) does not exist.");

        var http = resource.GetProperty("bindings").GetProperty("http");
        Assert.Equal("http", http.GetProperty("scheme").GetString());
        Assert.Equal("http", http.GetProperty("transport").GetString());
        Assert.Equal($"{{{name}.bindings.http.targetPort}}", _manifest.Env(name, "HTTP_PORTS"));
    }

    [Fact]
    public void ApiReferencesCacheMessagingAndInference()
    {
        Assert.Equal("{cache.connectionString}", _manifest.Env("api", "ConnectionStrings__cache"));
        Assert.Equal("{messaging.connectionString}", _manifest.Env("api", "ConnectionStrings__messaging"));
        Assert.Equal("{inference.bindings.http.url}", _manifest.Env("api", "services__inference__http__0"));
        Assert.Equal("{inference.bindings.http.url}/v1", _manifest.Env("api", "ABSTRACTCORE_INFERENCE_URL"));
    }

    [Fact]
    public void JobsReferencesCacheAndMessaging()
    {
        Assert.Equal("{cache.connectionString}", _manifest.Env("jobs", "ConnectionStrings__cache"));
        Assert.Equal("{messaging.connectionString}", _manifest.Env("jobs", "ConnectionStrings__messaging"));
        Assert.Null(_manifest.Env("jobs", "ABSTRACTCORE_INFERENCE_URL"));
    }

    [Fact]
    public void ServerTokenAndProviderKeysAreSecretParametersSharedByApiAndJobs()
    {
        Assert.Equal("{abstractcore-auth-token.value}", _manifest.Env("api", "ABSTRACTCORE_AUTH_TOKEN"));
        Assert.Equal("{openai-api-key.value}", _manifest.Env("api", "OPENAI_API_KEY"));
        Assert.Equal("{openai-api-key.value}", _manifest.Env("jobs", "OPENAI_API_KEY"));
        AssertSecretInput("abstractcore-auth-token", mayHaveDefault: false);
        AssertSecretInput("openai-api-key", mayHaveDefault: false);

        // Plain settings stay plain.
        Assert.Equal("https://upstream.example/v1", _manifest.Env("api", "OPENAI_BASE_URL"));
    }

    [Fact]
    public void NoValueGivenToThePublishingAppHostIsWrittenOut()
    {
        Assert.DoesNotContain(Token, _manifest.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenAiKey, _manifest.Text, StringComparison.Ordinal);
        // Nor this machine's executable-mode details (loopback servers, temp folders).
        Assert.DoesNotContain("127.0.0.1", _manifest.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("abstractcore-apphost", _manifest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryParameterIsDeclaredAndEverySecretIsMarkedSecret()
    {
        foreach (var name in _manifest.Names().Where(n => _manifest.Type(n) == "parameter.v0"))
        {
            var value = _manifest.Resource(name).GetProperty("inputs").GetProperty("value");
            var looksSecret = name.EndsWith("-key", StringComparison.Ordinal) || name.EndsWith("-token", StringComparison.Ordinal)
                || name.EndsWith("-password", StringComparison.Ordinal);
            if (looksSecret)
            {
                Assert.True(value.TryGetProperty("secret", out var secret) && secret.GetBoolean(), $"Parameter '{name}' is not secret.");
            }
        }
    }

    [Fact]
    public void EveryPlaceholderNamesAResourceInTheManifest()
    {
        var declared = _manifest.Names().ToHashSet(StringComparer.Ordinal);
        var referenced = Placeholder().Matches(_manifest.Text).Select(m => m.Groups["resource"].Value).Distinct();

        Assert.All(referenced, name => Assert.Contains(name, declared));
    }

    [Fact]
    public async Task ExternalModePublishesConnectionStringsAsSecretParametersInsteadOfContainers()
    {
        var manifest = await ManifestPublisher.PublishAsync("--Infra:Mode=external");
        using (manifest.Document)
        {
            foreach (var name in new[] { "cache", "messaging" })
            {
                Assert.Equal("parameter.v0", manifest.Type(name));
                Assert.Equal($"{{{name}.value}}", manifest.Resource(name).GetProperty("connectionString").GetString());
                var input = manifest.Resource(name).GetProperty("inputs").GetProperty("value");
                Assert.True(input.GetProperty("secret").GetBoolean());
            }

            Assert.All(Services, service => Assert.Matches(@"^project\.v\d+$", manifest.Type(service)));
            Assert.Equal("{cache.connectionString}", manifest.Env("api", "ConnectionStrings__cache"));
            Assert.Equal("{messaging.connectionString}", manifest.Env("jobs", "ConnectionStrings__messaging"));
        }
    }

    private void AssertGeneratedSecret(string parameter)
    {
        var input = AssertSecretInput(parameter, mayHaveDefault: true);
        Assert.True(input.GetProperty("default").TryGetProperty("generate", out _), $"'{parameter}' is not generated at deployment.");
    }

    private JsonElement AssertSecretInput(string parameter, bool mayHaveDefault)
    {
        Assert.Equal("parameter.v0", _manifest.Type(parameter));
        Assert.Equal($"{{{parameter}.inputs.value}}", _manifest.Resource(parameter).GetProperty("value").GetString());
        var input = _manifest.Resource(parameter).GetProperty("inputs").GetProperty("value");
        Assert.True(input.GetProperty("secret").GetBoolean(), $"Parameter '{parameter}' is not secret.");
        if (!mayHaveDefault)
        {
            Assert.False(input.TryGetProperty("default", out _), $"Secret '{parameter}' carries a default value.");
        }

        return input;
    }

    [GeneratedRegex(@"\{(?<resource>[a-z0-9-]+)\.(?:value|connectionString|bindings|inputs)[^}]*\}")]
    private static partial Regex Placeholder();
}
