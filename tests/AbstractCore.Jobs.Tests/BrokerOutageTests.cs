using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace AbstractCore.Jobs.Tests;

/// <summary>
/// RabbitMQ killed (SIGKILL by its PID) and restarted under the job pipeline: submissions answer a prompt 503 and
/// leave no job behind that will never run, health says the bus cannot publish, and generations in flight are
/// neither cut nor run again. Own Redis and RabbitMQ servers: killing the broker must not touch other classes.
/// </summary>
public sealed class BrokerOutageTests(InfrastructureFixture infra) : IClassFixture<InfrastructureFixture>, IAsyncLifetime
{
    private const string Submit = "/v1/vision/jobs/images/generations";
    private FakeVisionUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeVisionUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        if (infra.RabbitMq.Pid == 0)
        {
            await infra.RabbitMq.RestartAsync(); // a failed test must not leave the next one without a broker
        }

        await _upstream.DisposeAsync();
    }

    /// <summary>An Api replica queueing on this class's RabbitMQ, with a short send timeout.</summary>
    private GatewayFactory Api() => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFactory.Token,
        ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        ["ConnectionStrings:cache"] = infra.Redis.ConnectionString,
        ["ConnectionStrings:messaging"] = infra.RabbitMq.ConnectionString,
        ["ABSTRACTCORE_JOBS_SEND_TIMEOUT_S"] = "2",
    });

    [Fact]
    public async Task With_the_broker_down_a_submission_answers_503_with_retry_after_the_job_is_failed_and_health_says_so()
    {
        await using var api = Api();
        using var http = api.Http(GatewayFactory.Token);
        http.Timeout = TimeSpan.FromSeconds(30); // the bug was a hang: fail the test instead of waiting 100 s
        await WaitForBusAsync(http, healthy: true);
        await JobPolling.SubmitAsync(http, Submit, """{"model":"openai-compatible/m","prompt":"before"}""");

        var before = await JobIdsAsync();

        await infra.RabbitMq.KillAsync();
        var (response, body) = await Wire.PostAsync(http, Submit, """{"model":"openai-compatible/m","prompt":"during"}""");

        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body?.ToJsonString()}");
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
        Assert.Equal("job_queue_unavailable", (string?)body!["error"]!["code"]);
        Assert.Equal("service_unavailable", (string?)body["error"]!["type"]);

        // The job the Api stored before the send is failed with the reason, never left queued without a message.
        var id = Assert.Single((await JobIdsAsync()).Except(before));
        var failed = await JobPolling.GetAsync(http, id);
        Assert.Equal("failed", (string?)failed["state"]);
        Assert.Contains("could not be queued", (string?)failed["error"], StringComparison.Ordinal);

        var bus = await WaitForBusAsync(http, healthy: false);
        Assert.Contains(infra.RabbitMq.Port.ToString(CultureInfo.InvariantCulture), (string?)bus["description"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ready")).StatusCode); // chat and the rest still work

        await infra.RabbitMq.RestartAsync();
        await WaitForBusAsync(http, healthy: true);
        var ready = await ReadyMessagesAsync();
        await JobPolling.SubmitAsync(http, Submit, """{"model":"openai-compatible/m","prompt":"after"}""");
        Assert.Equal(ready + 1, await ReadyMessagesAsync()); // really sent: waiting in the queue (no worker here)
    }

    [Fact]
    public async Task A_broker_restart_mid_generation_neither_cuts_nor_repeats_the_upstream_calls()
    {
        const int jobs = 4;
        await using var api = Api();
        using var http = api.Http(GatewayFactory.Token);
        await PurgeAsync(); // messages another test left without a worker
        _upstream.HoldAfter(0); // every generation stays in flight until released
        using var worker = ProjectProcess.StartWorker(new Dictionary<string, string>
        {
            ["ConnectionStrings__cache"] = infra.Redis.ConnectionString,
            ["ConnectionStrings__messaging"] = infra.RabbitMq.ConnectionString,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_JOBS_CONCURRENCY"] = jobs.ToString(CultureInfo.InvariantCulture),
            ["ABSTRACTCORE_JOBS_LEASE_S"] = "2",
        });

        var ids = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            ids.Add(await JobPolling.SubmitAsync(http, Submit, $$"""{"model":"openai-compatible/m","prompt":"paid {{i}}"}"""));
        }

        var deadline = DateTime.UtcNow + JobPolling.Patience;
        while (_upstream.Held < jobs)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Only {_upstream.Held} of {jobs} generations started.\n{worker.Output}");
            await Task.Delay(50);
        }

        await infra.RabbitMq.KillAsync(); // every delivery's channel drops mid-generation
        _upstream.Release(); // the generations finish while the broker is down
        await infra.RabbitMq.RestartAsync(); // the unacknowledged messages are delivered again

        foreach (var id in ids)
        {
            var job = await JobPolling.WaitForTerminalAsync(http, id);
            Assert.True((string?)job["state"] == "succeeded", job.ToJsonString());
            Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)job["result"]!["data"]![0]!["b64_json"]);
            Assert.Equal(1, (int)job["attempts"]!);
        }

        var calls = _upstream.RequestsPerKey;
        Assert.All(ids, id => Assert.Equal(1, calls.GetValueOrDefault("acore-job-" + id)));

        // The redelivered messages found their jobs done: a job sent now, behind them in the queue, runs, and the
        // queue is empty with no other upstream call.
        await WaitForBusAsync(http, healthy: true);
        var marker = await JobPolling.SubmitAsync(http, Submit, """{"model":"openai-compatible/m","prompt":"after"}""");
        Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(http, marker))["state"]);
        Assert.Equal(0u, await ReadyMessagesAsync());
        Assert.Equal(jobs + 1, _upstream.Generations);
        Assert.All(_upstream.RequestsPerKey.Values, count => Assert.Equal(1, count));
    }

    /// <summary>Waits (bounded) until the Api's bus check is healthy or not, and returns it.</summary>
    private static async Task<JsonObject> WaitForBusAsync(HttpClient http, bool healthy)
    {
        var deadline = DateTime.UtcNow + JobPolling.Patience;
        while (true)
        {
            var (_, health) = await Wire.GetAsync(http, "/health");
            var checks = health!["details"]!["checks"]!.AsArray().Select(c => c!.AsObject()).ToList();
            var bus = checks.Single(c => (string?)c["name"] == "rabbitmq");
            // MassTransit's own check looks only at receive endpoints, and the Api has none: it must not be shown as the bus.
            var misleading = checks.Any(c => (string?)c["name"] == "masstransit-bus" && (string?)c["status"] == "healthy");
            var overall = (string?)health["details"]!["status"];
            if (((string?)bus["status"] == "healthy") == healthy && overall == (healthy ? "healthy" : "degraded"))
            {
                // Only job submissions need the broker: the gateway is degraded, still live and ready.
                Assert.False(!healthy && misleading, "masstransit-bus says healthy with the broker down: " + health.ToJsonString());
                Assert.Equal("healthy", (string?)health["status"]);
                return bus;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The bus check did not become {(healthy ? "healthy" : "degraded")}: {health.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The ids of every job record in this class's Redis.</summary>
    private async Task<List<string>> JobIdsAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(infra.Redis.ConnectionString);
        var ids = new List<string>();
        await foreach (var key in redis.GetServer(redis.GetEndPoints()[0]).KeysAsync(pattern: "acore:job:*"))
        {
            if (!((string)key!).EndsWith(":call", StringComparison.Ordinal))
            {
                ids.Add(((string)key!)["acore:job:".Length..]);
            }
        }

        return ids;
    }

    private async Task<uint> ReadyMessagesAsync()
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(infra.RabbitMq.ConnectionString) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync("acore-media-jobs")).MessageCount;
    }

    private async Task PurgeAsync()
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(infra.RabbitMq.ConnectionString) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueuePurgeAsync("acore-media-jobs");
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // Not declared yet: nothing to purge.
        }
    }
}
