using System.Net;
using AbstractCore.Api.Tests.Images;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Jobs;

/// <summary>
/// Standalone mode: no Redis, no RabbitMQ. The Api keeps jobs in memory and MassTransit's in-memory transport
/// delivers them to the consumer in the same process. Each test uses its own gateway and fake, so counts are exact.
/// </summary>
public sealed class StandaloneJobsTests : IAsyncLifetime
{
    private readonly MediaFixture _fx = new();

    public Task InitializeAsync() => _fx.InitializeAsync();

    public Task DisposeAsync() => _fx.DisposeAsync();

    [Fact]
    public async Task An_image_job_is_queued_runs_in_process_and_is_consumed_once_finished()
    {
        using var http = _fx.Http();
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations",
            """{"model":"openai-compatible/gpt-image-1","prompt":"a fox","size":"256x256"}""");

        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal("succeeded", (string?)job["status"]);
        Assert.Equal("images/generations", (string?)job["kind"]);
        Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)job["result"]!["data"]![0]!["b64_json"]);
        Assert.Equal(1.0, (double)job["progress"]!["progress"]!);
        Assert.True((bool)job["progress"]!["terminal"]!);
        Assert.Null(job["error"]);
        Assert.Equal("256x256", (string?)_fx.Last("/images/generations").Json!["size"]);
        Assert.Equal("acore-job-" + id, _fx.Last("/images/generations").Headers["Idempotency-Key"]);

        var consumed = await JobPolling.GetAsync(http, id, consume: true);
        Assert.Equal("succeeded", (string?)consumed["state"]);
        var gone = await http.GetAsync($"/v1/vision/jobs/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("Job not found", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_keeps_an_unfinished_job_and_the_result_appears_only_on_success()
    {
        using var http = _fx.Http();
        _fx.Upstream.Delay = TimeSpan.FromSeconds(1);
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"slow"}""");

        var early = await JobPolling.GetAsync(http, id, consume: true);
        Assert.Contains((string?)early["state"], (string[])["queued", "running"]);
        Assert.Null(early["result"]);
        Assert.False((bool)early["progress"]!["terminal"]!);

        var job = await JobPolling.WaitForTerminalAsync(http, id); // still there: consume kept it
        Assert.Equal("succeeded", (string?)job["state"]);
    }

    [Fact]
    public async Task Twenty_jobs_all_succeed_each_generated_exactly_once()
    {
        using var http = _fx.Http();
        _fx.Upstream.Delay = TimeSpan.FromMilliseconds(50);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", $$"""{"model":"openai-compatible/m","prompt":"job {{i}}"}"""));
        }

        foreach (var id in ids)
        {
            Assert.Equal("succeeded", (string?)(await JobPolling.WaitForTerminalAsync(http, id))["state"]);
        }

        Assert.Equal(20, _fx.Upstream.Generations);
        Assert.Equal(20, _fx.Upstream.Calls);
        Assert.All(ids, id => Assert.Equal(1, _fx.Upstream.RequestsPerKey["acore-job-" + id]));
    }

    [Fact]
    public async Task A_duplicated_message_never_runs_a_job_twice_while_running_or_after_it_finished()
    {
        using var http = _fx.Http();
        _fx.Upstream.Delay = TimeSpan.FromMilliseconds(500);
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"once"}""");
        var queue = await _fx.Gateway.Services.GetRequiredService<MassTransit.IBus>().GetSendEndpoint(new Uri("queue:acore-media-jobs"));

        await queue.Send(new AbstractCore.Jobs.Contracts.RunMediaJob(id, "images/generations")); // while it runs (or before)
        var job = await JobPolling.WaitForTerminalAsync(http, id);
        await queue.Send(new AbstractCore.Jobs.Contracts.RunMediaJob(id, "images/generations")); // after it finished
        var again = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"later"}""");
        await JobPolling.WaitForTerminalAsync(http, again); // the queue has moved past the duplicate

        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal(1, (int)(await JobPolling.GetAsync(http, id))["attempts"]!);
        Assert.Equal(1, _fx.Upstream.RequestsPerKey["acore-job-" + id]);
        Assert.Equal(2, _fx.Upstream.Generations);
    }

    [Fact]
    public async Task Transient_upstream_failures_are_retried_with_backoff()
    {
        using var http = _fx.Http();
        _fx.Upstream.FailNext(2);
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"flaky"}""");

        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("succeeded", (string?)job["state"]);
        Assert.Equal(3, _fx.Upstream.Calls);
        Assert.Equal(1, _fx.Upstream.Generations);
    }

    [Fact]
    public async Task A_job_whose_upstream_keeps_failing_ends_failed_with_the_reason()
    {
        using var http = _fx.Http();
        _fx.Upstream.AlwaysFailWith = 503;
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"doomed"}""");

        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("failed", (string?)job["state"]);
        Assert.Null(job["result"]);
        var error = (string)job["error"]!;
        Assert.Contains("Failed after 3 attempt(s)", error, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", error, StringComparison.Ordinal);
        Assert.Equal(error, (string?)job["progress"]!["message"]);
        Assert.Equal(3, _fx.Upstream.Calls); // the first try and two retries, then the error queue
    }

    [Fact]
    public async Task An_upstream_that_never_answers_is_cut_by_the_upstream_timeout_not_left_running()
    {
        // A job's call is not bounded by its message (a broker drop must not cut it), so it has a deadline of its own.
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = MediaFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = _fx.Upstream.BaseUrl.AbsoluteUri,
            ["ABSTRACTCORE_UPSTREAM_TIMEOUT_S"] = "1",
            ["ABSTRACTCORE_JOBS_RETRIES"] = "1",
            ["ABSTRACTCORE_JOBS_RETRY_MIN_S"] = "0.05",
        });
        using var http = gateway.Http(MediaFixture.Token);
        _fx.Upstream.HoldAfter(0); // never answers
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"stuck"}""");

        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("failed", (string?)job["state"]);
        Assert.Contains("Failed after 2 attempt(s)", (string?)job["error"], StringComparison.Ordinal);
        Assert.Contains("did not answer within 1 s", (string?)job["error"], StringComparison.Ordinal);
        Assert.Equal(2, _fx.Upstream.Calls);
    }

    [Fact]
    public async Task A_permanent_upstream_error_fails_at_once()
    {
        using var http = _fx.Http();
        _fx.Upstream.AlwaysFailWith = 400;
        var id = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"bad"}""");

        var job = await JobPolling.WaitForTerminalAsync(http, id);

        Assert.Equal("failed", (string?)job["state"]);
        Assert.Contains("failed on purpose (HTTP 400)", (string?)job["error"], StringComparison.Ordinal);
        Assert.Equal(1, _fx.Upstream.Calls);
    }

    [Fact]
    public async Task Edit_video_and_music_jobs_run_the_same_way()
    {
        using var http = _fx.Http();
        var edit = await http.PostAsync("/v1/vision/jobs/images/edits",
            MediaFixture.Form(("model", "openai-compatible/m"), ("prompt", "blue"), ("image", FakeVisionUpstream.Png)));
        var editId = (string)System.Text.Json.Nodes.JsonNode.Parse(await edit.Content.ReadAsStringAsync())!["job_id"]!;
        var video = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/videos/generations", """{"model":"openai-compatible/wan","prompt":"clouds","fps":8}""");
        var i2v = await http.PostAsync("/v1/vision/jobs/videos/edits",
            MediaFixture.Form(("model", "openai-compatible/wan"), ("prompt", "move"), ("image", FakeVisionUpstream.Png)));
        var i2vId = (string)System.Text.Json.Nodes.JsonNode.Parse(await i2v.Content.ReadAsStringAsync())!["job_id"]!;
        var music = await JobPolling.SubmitAsync(http, "/v1/vision/jobs/audio/music", """{"input":"calm piano","duration_s":8,"format":"mp3"}""");

        var editJob = await JobPolling.WaitForTerminalAsync(http, editId);
        Assert.Equal("images/edits", (string?)editJob["kind"]);
        Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)editJob["result"]!["data"]![0]!["b64_json"]);
        foreach (var id in (string[])[video, i2vId])
        {
            var job = await JobPolling.WaitForTerminalAsync(http, id);
            Assert.Equal(FakeVisionUpstream.Mp4, Convert.FromBase64String((string)job["result"]!["data"]![0]!["b64_json"]!));
        }

        var musicJob = await JobPolling.WaitForTerminalAsync(http, music);
        Assert.Equal("audio/music", (string?)musicJob["kind"]);
        Assert.Equal(FakeVisionUpstream.Mp3, Convert.FromBase64String((string)musicJob["result"]!["data"]![0]!["b64_json"]!));
        Assert.Equal("audio/mpeg", (string?)musicJob["result"]!["data"]![0]!["content_type"]);
        Assert.Equal("calm piano", (string?)_fx.Last("/audio/music").Json!["prompt"]);
    }

    [Fact]
    public async Task Job_routes_validate_like_the_sync_routes_and_unknown_jobs_are_404()
    {
        using var http = _fx.Http();
        var (response, body) = await Wire.PostAsync(http, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m"}""");
        ImageBadInputTests.AssertError(response, body, 400, "Missing required field: prompt", "prompt");

        (response, body) = await Wire.PostAsync(http, "/v1/vision/jobs/audio/music", """{"duration_s":8}""");
        ImageBadInputTests.AssertError(response, body, 400, "Missing required field: prompt", "prompt");

        using var keyed = _fx.Http();
        keyed.DefaultRequestHeaders.Add("X-AbstractCore-Provider-API-Key", "sk-user");
        (response, body) = await Wire.PostAsync(keyed, "/v1/vision/jobs/images/generations", """{"model":"openai-compatible/m","prompt":"p"}""");
        ImageBadInputTests.AssertError(response, body, 400, "Async jobs run with the server's provider keys", "X-AbstractCore-Provider-API-Key");

        var missing = await http.GetAsync("/v1/vision/jobs/0123456789abcdef");
        var text = await missing.Content.ReadAsStringAsync();
        ImageBadInputTests.AssertError(missing, System.Text.Json.Nodes.JsonNode.Parse(text), 404, "Job not found", "job_id");
        Assert.Equal(0, _fx.Upstream.Calls);
    }
}
