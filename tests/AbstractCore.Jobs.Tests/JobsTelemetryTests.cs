using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Jobs.Telemetry;
using AbstractCore.Media;
using AbstractCore.TestKit.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Jobs.Tests;

/// <summary>
/// The production shape with real Redis and RabbitMQ: the Api only queues, a worker (the Jobs service's registrations,
/// hosted here so its spans can be read) consumes. The job's spans join the trace of the request that submitted it,
/// through the message headers; the worker measures running jobs and the queue's depth; /health shows both servers.
/// </summary>
public sealed class JobsTelemetryTests(InfrastructureFixture infra) : IClassFixture<InfrastructureFixture>, IAsyncLifetime
{
    private FakeVisionUpstream _upstream = null!;
    private GatewayFactory Api { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeVisionUpstream.StartAsync();
        Api = new GatewayFactory(Settings());
        _ = Api.Server;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFactory.Token,
        ["OPENAI_COMPATIBLE_BASE_URL"] = _upstream.BaseUrl.AbsoluteUri,
        ["ConnectionStrings:cache"] = infra.Redis.ConnectionString,
        ["ConnectionStrings:messaging"] = infra.RabbitMq.ConnectionString,
        ["ABSTRACTCORE_JOBS_RETRIES"] = "0",
    };

    /// <summary>What AbstractCore.Jobs registers (WorkerServices), in a host of its own.</summary>
    private async Task<IHost> StartWorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddRedisClient(JobSettings.CacheConnectionName);
        builder.Services.AddMediaUpstream();
        builder.Services.AddMediaJobs(builder.Configuration, consume: true);
        var worker = builder.Build();
        await worker.StartAsync();
        return worker;
    }

    private static async Task StopAsync(IHost worker)
    {
        await worker.StopAsync();
        worker.Dispose();
    }

    [Fact]
    public async Task A_job_consumed_through_rabbitmq_continues_the_trace_of_the_request_that_submitted_it()
    {
        using var spans = new SpanCollector("Microsoft.AspNetCore", "System.Net.Http", "MassTransit", JobsTelemetry.Name);
        var worker = await StartWorkerAsync();
        try
        {
            var trace = TestTrace.New();
            using var http = Api.Http(GatewayFactory.Token);
            using var submitted = await http.SendAsync(trace.Post("/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"traced"}"""));
            Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
            var id = (string?)JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["job_id"];
            Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(http, id!))["state"]);

            // A span is recorded when it stops, after its children: wait for the whole chain from the job up to the request.
            var trail = await spans.WaitAsync(trace.Id, s => s.FirstOrDefault(a => a.Source.Name == JobsTelemetry.Name) is { } j &&
                Ancestors(s, j).Any(a => a.ParentSpanId == trace.Root), "the chain of spans from the job up to the submitting request");
            var server = trail.Single(s => s.Kind == ActivityKind.Server && s.ParentSpanId == trace.Root);
            var job = trail.Single(s => s.Source.Name == JobsTelemetry.Name);
            var ancestors = Ancestors(trail, job);
            // Submitting request → MassTransit send (Api) → RabbitMQ headers → MassTransit consume (worker) → the job.
            Assert.Contains(server, ancestors);
            Assert.Contains(ancestors, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer);
            Assert.Contains(ancestors, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
            Assert.Equal("job images/generations", job.DisplayName);
            Assert.Equal(id, job.GetTagItem(JobsTelemetry.JobId));
            Assert.Equal("images/generations", job.GetTagItem(JobsTelemetry.JobKind));
            Assert.Equal("succeeded", job.GetTagItem(JobsTelemetry.JobOutcome));
            Assert.Contains(trail, s => s.Source.Name == "System.Net.Http" && s.ParentSpanId == job.SpanId); // the upstream call
        }
        finally
        {
            await StopAsync(worker);
        }
    }

    [Fact]
    public async Task The_worker_measures_the_queue_depth_running_jobs_and_job_durations()
    {
        // Jobs submitted while no worker runs wait in RabbitMQ: the gauge sees them.
        using var depthMeters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var depthFactory = depthMeters.GetRequiredService<IMeterFactory>();
        await using var depth = new JobQueueDepth(new JobsTelemetry(depthFactory), infra.RabbitMq.ConnectionString);
        await depth.StartAsync(CancellationToken.None);
        using var gauge = new MeterCollector(depthFactory, JobsTelemetry.Name);
        using var http = Api.Http(GatewayFactory.Token);

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", $$"""{"model":"openai-compatible/m","prompt":"queued {{i}}"}"""));
        }

        await UntilAsync(() => gauge.Of(JobQueueDepth.QueuedInstrument).LastOrDefault()?.Value == 3, gauge.Observe, "a queue depth of 3");
        Assert.Equal("acore-media-jobs", gauge.Of(JobQueueDepth.QueuedInstrument)[^1]["messaging.destination.name"]);

        var worker = await StartWorkerAsync();
        try
        {
            using var meters = new MeterCollector(worker.Services.GetRequiredService<IMeterFactory>(), JobsTelemetry.Name);
            foreach (var id in ids)
            {
                Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(http, id))["state"]);
            }

            await UntilAsync(() => gauge.Of(JobQueueDepth.QueuedInstrument).LastOrDefault()?.Value == 0, () =>
            {
                gauge.Clear();
                gauge.Observe();
            }, "an empty queue once the worker ran the jobs");

            await UntilAsync(() => meters.Of(JobsTelemetry.DurationInstrument).Count(m => m["abstractcore.job.outcome"] as string == "succeeded") == 3,
                () => { }, "three succeeded job durations");
            Assert.All(meters.Of(JobsTelemetry.DurationInstrument), m => Assert.Equal("images/generations", m["abstractcore.job.kind"]));
            meters.Observe();
            Assert.Equal(0, meters.Of(JobsTelemetry.RunningInstrument)[^1].Value); // every claimed job ended
        }
        finally
        {
            await StopAsync(worker);
        }
    }

    [Fact]
    public async Task Health_details_show_redis_and_rabbitmq_healthy()
    {
        using var http = Api.Http(GatewayFactory.Token);
        var body = JsonNode.Parse(await http.GetStringAsync("/health"))!;
        var checks = body["details"]!["checks"]!.AsArray();
        Assert.Equal("healthy", (string?)checks.Single(c => (string?)c!["name"] == "StackExchange.Redis")!["status"]);
        var rabbit = checks.Single(c => (string?)c!["name"] == "rabbitmq")!;
        Assert.Equal("healthy", (string?)rabbit["status"]);
        Assert.Equal($"Connected to RabbitMQ at 127.0.0.1:{infra.RabbitMq.Port}.", (string?)rabbit["description"]);
    }

    /// <summary>The span's parent, its parent's parent… as far as the trace's recorded spans go.</summary>
    private static List<Activity> Ancestors(List<Activity> trail, Activity span)
    {
        var chain = new List<Activity>();
        while (trail.FirstOrDefault(s => s.SpanId == span.ParentSpanId) is { } parent)
        {
            chain.Add(parent);
            span = parent;
        }

        return chain;
    }

    private static async Task UntilAsync(Func<bool> condition, Action poll, string what)
    {
        var deadline = DateTime.UtcNow + JobPolling.Patience;
        while (true)
        {
            poll();
            if (condition())
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Never happened: {what}");
            await Task.Delay(100);
        }
    }
}
