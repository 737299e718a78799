using Aspire.Hosting.ApplicationModel;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// Embedded mode: no Redis, no RabbitMQ, no jobs worker; the api gets no connection strings, so it keeps its state in
/// memory and runs jobs itself. Auto falls back to it when nothing else is available.
/// </summary>
public sealed class EmbeddedModeTests
{
    /// <summary>A machine with only the .NET SDK: no engine answers, no server is installed, no connection string is set.</summary>
    private static readonly string[] BareMachine =
    [
        "--Infra:Mode=auto",
        "--ASPIRE_CONTAINER_RUNTIME=acore-no-such-engine",
        "--Infra:RedisServer=/nonexistent/redis-server",
        "--Infra:RabbitMqServer=/nonexistent/rabbitmq-server",
        "--ConnectionStrings:cache=",
        "--ConnectionStrings:messaging=",
    ];

    [Fact]
    public async Task Chosen_explicitly_the_model_has_no_cache_no_messaging_and_no_jobs_worker()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, "--Infra:Mode=embedded");

        await AssertEmbeddedAsync(builder);
    }

    [Fact]
    public async Task Auto_falls_back_to_it_on_a_machine_with_nothing_installed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, BareMachine);

        await AssertEmbeddedAsync(builder);
    }

    [Fact]
    public async Task Auto_prefers_connection_strings_when_they_are_set()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(
            timeout.Token, [.. BareMachine, "--ConnectionStrings:cache=127.0.0.1:1", "--ConnectionStrings:messaging=amqp://guest:guest@127.0.0.1:1"]);

        var names = builder.Resources.Select(r => r.Name).ToList();
        Assert.Contains("cache", names);
        Assert.Contains("messaging", names);
        Assert.Contains("jobs", names);
        var api = await AppModel.EnvironmentAsync(builder, "api");
        Assert.Contains("ConnectionStrings__cache", api.Keys);
        Assert.Contains("ConnectionStrings__messaging", api.Keys);
    }

    [Fact]
    public async Task The_api_runs_one_replica_whatever_Api_Replicas_says()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, "--Infra:Mode=embedded", "--Api:Replicas=3");

        var api = builder.Resources.Single(r => r.Name == "api");
        Assert.Equal(1, api.Annotations.OfType<ReplicaAnnotation>().Last().Replicas);
    }

    [Fact]
    public async Task Publishing_ignores_it_and_describes_containers()
    {
        var manifest = await ManifestPublisher.PublishAsync("--Infra:Mode=embedded");
        using (manifest.Document)
        {
            Assert.Equal("container.v0", manifest.Type("cache"));
            Assert.Equal("container.v0", manifest.Type("messaging"));
            Assert.Matches(@"^project\.v\d+$", manifest.Type("jobs"));
        }
    }

    private static async Task AssertEmbeddedAsync(IDistributedApplicationTestingBuilder builder)
    {
        var names = builder.Resources.Where(r => r is not ParameterResource).Select(r => r.Name).ToList();
        Assert.Contains("api", names);
        Assert.Contains("inference", names);
        Assert.DoesNotContain("cache", names);
        Assert.DoesNotContain("messaging", names);
        Assert.DoesNotContain("jobs", names);

        // No connection strings: the api's in-memory job store and bus, with the consumers in its own process.
        var api = await AppModel.EnvironmentAsync(builder, "api");
        Assert.DoesNotContain(api.Keys, key => key.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        Assert.Contains("ABSTRACTCORE_INFERENCE_URL", api.Keys);
        Assert.Equal(["inference"], builder.Resources.Single(r => r.Name == "api").Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Distinct());
    }
}
