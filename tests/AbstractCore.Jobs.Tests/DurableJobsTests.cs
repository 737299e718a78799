using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace AbstractCore.Jobs.Tests;

/// <summary>
/// The production shape: Api replicas queue jobs on RabbitMQ and keep them in Redis; the Jobs worker, a separate
/// process, runs them. The worker is killed mid-way and restarted, and every job still ends succeeded, generated once.
/// </summary>
public sealed class DurableJobsTests(InfrastructureFixture infra) : IClassFixture<InfrastructureFixture>, IAsyncLifetime
{
    private const int Concurrency = 3;
    private FakeVisionUpstream _upstream = null!;
    private GatewayFactory _apiA = null!;
    private GatewayFactory _apiB = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeVisionUpstream.StartAsync();
        GatewayFactory Replica() => new(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFactory.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = infra.Redis.ConnectionString,
            ["ConnectionStrings:messaging"] = infra.RabbitMq.ConnectionString,
        });
        (_apiA, _apiB) = (Replica(), Replica());
    }

    public async Task DisposeAsync()
    {
        await _apiA.DisposeAsync();
        await _apiB.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private ProjectProcess StartWorker() => ProjectProcess.StartWorker(new Dictionary<string, string>
    {
        ["ConnectionStrings__cache"] = infra.Redis.ConnectionString,
        ["ConnectionStrings__messaging"] = infra.RabbitMq.ConnectionString,
        ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        ["ABSTRACTCORE_JOBS_CONCURRENCY"] = Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ABSTRACTCORE_JOBS_LEASE_S"] = "2",
        ["ABSTRACTCORE_JOBS_RETRIES"] = "2",
        ["ABSTRACTCORE_JOBS_RETRY_MIN_S"] = "0.05",
        ["ABSTRACTCORE_JOBS_RETRY_MAX_S"] = "0.2",
    });

    [Fact]
    public async Task Twenty_jobs_survive_a_worker_crash_and_each_is_generated_exactly_once()
    {
        using var submit = _apiA.Http(GatewayFactory.Token);
        using var poll = _apiB.Http(GatewayFactory.Token); // another replica sees the same jobs
        _upstream.HoldAfter(5); // five generations finish; the next ones stay in flight until released

        var worker = StartWorker();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await JobPolling.SubmitAsync(submit, "/v1/vision/jobs/images/generations", $$"""{"model":"openai-compatible/m","prompt":"job {{i}}"}"""));
        }

        // Mid-way: five jobs stored as succeeded, and the worker is inside upstream calls for more.
        var deadline = DateTime.UtcNow + JobPolling.Patience;
        List<string> doneBeforeCrash;
        while (true)
        {
            doneBeforeCrash = [];
            foreach (var id in ids)
            {
                if ((string?)(await JobPolling.GetAsync(poll, id))["state"] == "succeeded")
                {
                    doneBeforeCrash.Add(id);
                }
            }

            if (doneBeforeCrash.Count == 5 && _upstream.Held > 0)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The worker did not get mid-way: {doneBeforeCrash.Count} done, {_upstream.Held} held.\n{worker.Output}");
            Assert.False(worker.HasExited, worker.Output);
            await Task.Delay(50);
        }

        var inFlight = _upstream.Held;
        worker.Kill();
        worker.Dispose();
        _upstream.Release(); // the upstream finishes what it had started, as a real one would

        using var restarted = StartWorker();
        var jobs = new List<System.Text.Json.Nodes.JsonNode>();
        foreach (var id in ids)
        {
            jobs.Add(await JobPolling.WaitForTerminalAsync(poll, id));
        }

        Assert.All(jobs, job => Assert.Equal("succeeded", (string?)job["state"]));
        Assert.All(jobs, job => Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)job["result"]!["data"]![0]!["b64_json"]));
        Assert.Equal(20, _upstream.Generations);
        var perKey = _upstream.RequestsPerKey;
        Assert.Equal(20, perKey.Count);
        Assert.All(doneBeforeCrash, id => Assert.Equal(1, perKey["acore-job-" + id])); // finished jobs never ran again
        Assert.All(perKey.Values, count => Assert.InRange(count, 1, 2));
        var rerun = perKey.Values.Count(c => c == 2);
        Assert.InRange(rerun, inFlight, Concurrency); // only the calls cut by the crash were asked again
        // Jobs the dead worker had claimed were claimed again (a claim may have come just before its call was sent).
        Assert.InRange(jobs.Count(job => (int)job["attempts"]! == 2), rerun, Concurrency);
        Assert.All(jobs, job => Assert.InRange((int)job["attempts"]!, 1, 2));
    }

    [Fact]
    public async Task A_duplicated_message_on_rabbitmq_does_not_run_a_finished_job_again()
    {
        using var http = _apiA.Http(GatewayFactory.Token);
        using var worker = StartWorker();
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/videos/generations", """{"model":"openai-compatible/wan","prompt":"once"}""");
        Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(http, id))["state"]);

        var queue = await _apiA.Services.GetRequiredService<MassTransit.IBus>().GetSendEndpoint(new Uri("queue:acore-media-jobs"));
        await queue.Send(new AbstractCore.Jobs.Contracts.RunMediaJob(id, "videos/generations"));
        var next = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/videos/generations", """{"model":"openai-compatible/wan","prompt":"next"}""");
        await JobPolling.WaitForTerminalAsync(http, next);

        Assert.Equal(1, _upstream.RequestsPerKey["acore-job-" + id]);
        Assert.Equal(1, (int)(await JobPolling.GetAsync(http, id))["attempts"]!);
        Assert.Equal(2, _upstream.Generations);
    }

    [Fact]
    public async Task A_job_whose_upstream_keeps_failing_ends_failed_with_the_reason_and_is_dead_lettered()
    {
        await using var failing = await FakeVisionUpstream.StartAsync();
        failing.AlwaysFailWith = 500;
        using var http = _apiA.Http(GatewayFactory.Token);
        using var worker = StartWorker();

        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations",
            $$"""{"model":"openai-compatible/m","prompt":"doomed","base_url":"{{failing.BaseUrl.AbsoluteUri}}"}""");
        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("failed", (string?)job["state"]);
        Assert.Null(job["result"]);
        Assert.Contains("Failed after 3 attempt(s)", (string?)job["error"], StringComparison.Ordinal);
        Assert.Contains("failed on purpose (HTTP 500)", (string?)job["error"], StringComparison.Ordinal);
        Assert.Equal(3, failing.Calls);

        // After the last retry the message moves to the error queue (declared when the first message gets there).
        var factory = new ConnectionFactory { Uri = new Uri(infra.RabbitMq.ConnectionString) };
        await using var connection = await factory.CreateConnectionAsync();
        var deadline = DateTime.UtcNow + JobPolling.Patience;
        while (await ErrorQueueDepthAsync(connection) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "Nothing reached acore-media-jobs_error.\n" + worker.Output);
            await Task.Delay(50);
        }
    }

    private static async Task<uint> ErrorQueueDepthAsync(IConnection connection)
    {
        // A passive declare of a missing queue closes the channel: one channel per look.
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync("acore-media-jobs_error")).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }
}
