using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AbstractCore.TestKit;
using AbstractCore.TinyModels;
using Xunit.Abstractions;

namespace AbstractCore.AppHost.Tests.EndToEnd;

/// <summary>
/// What a first-day user does with <c>dotnet run --project AbstractCore.AppHost</c>, through the <c>api</c> resource:
/// chat with a local ONNX model served by <c>inference</c>, and queue an image job that <c>jobs</c> runs via RabbitMQ.
/// </summary>
[Collection(LocalServersCollection.Name)]
public sealed class SystemEndToEndTests(SystemFixture system, ITestOutputHelper output) : IClassFixture<SystemFixture>, IDisposable
{
    /// <summary>How long a job may take before the test gives up and shows the logs (a bound, not a measurement).</summary>
    private static readonly TimeSpan JobPatience = TimeSpan.FromMinutes(2);

    private static int _startupLogShown;
    private readonly int _logMark = system.Log.Count;

    [Fact]
    public async Task Every_service_answers_its_health_endpoint()
    {
        foreach (var (resource, service) in new[] { ("api", (string?)null), ("inference", "inference"), ("jobs", "jobs") })
        {
            using var client = system.App.CreateHttpClient(resource, "http");
            using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("healthy", (string?)body!["status"]);
            if (service is not null)
            {
                Assert.Equal(service, (string?)body["service"]);
            }
        }
    }

    [Fact]
    public async Task The_AppHost_logs_when_each_resource_starts_and_becomes_ready()
    {
        // The log watches the same notifications the fixture waited on, so its last line may follow a moment later.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!system.Log.Since(0).Any(l => l.Contains("] All 6 resources are ready", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var progress = system.Log.Since(0).Where(l => l.Contains("[AbstractCore.AppHost.Progress]", StringComparison.Ordinal)).ToList();

        foreach (var resource in new[] { "cache", "messaging", "messaging-epmd", "inference", "jobs", "api" })
        {
            Assert.Single(progress, l => Regex.IsMatch(l, $@"\] {Regex.Escape(resource)}: started \(\d+\.\d s\)$"));
            Assert.Single(progress, l => Regex.IsMatch(l, $@"\] {Regex.Escape(resource)}: ready \(\d+\.\d s\)$"));
        }

        // The api waits for what it references, and says so once.
        Assert.Single(progress, l => l.Contains("] api: waiting for cache, messaging, inference (", StringComparison.Ordinal));
        Assert.Single(progress, l => Regex.IsMatch(l, @"\] All 6 resources are ready \(\d+\.\d s\)$"));
        Assert.DoesNotContain(progress, l => l.Contains("failed", StringComparison.Ordinal) || l.Contains("exited", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_chat_to_the_tiny_onnx_model_gets_its_exact_answer()
    {
        using var api = system.Api();
        using var response = await api.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(ChatBody(stream: false)));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Chat answered {(int)response.StatusCode}: {text}\n{system.Log.Tail()}");
        var choice = JsonNode.Parse(text)!["choices"]![0]!;
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)choice["message"]!["content"]);
        Assert.Equal("stop", (string?)choice["finish_reason"]);
    }

    [Fact]
    public async Task A_streamed_chat_to_the_tiny_onnx_model_arrives_token_by_token()
    {
        using var api = system.Api();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative)) { Content = Json(ChatBody(stream: true)) };
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Streamed chat answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        var pieces = new List<string>();
        string? finish = null;
        var done = false;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                done = true;
                break;
            }

            var choice = JsonNode.Parse(data)!["choices"]!.AsArray().FirstOrDefault();
            if ((string?)choice?["delta"]?["content"] is { Length: > 0 } piece)
            {
                pieces.Add(piece);
            }

            finish ??= (string?)choice?["finish_reason"];
        }

        Assert.True(done, "The stream ended without [DONE].");
        Assert.Equal(TinyVocabulary.ChatAnswer.Select(c => c.ToString()), pieces);
        Assert.Equal("stop", finish);
    }

    [Fact]
    public async Task An_image_job_is_queued_by_the_api_and_generated_by_the_jobs_worker()
    {
        using var api = system.Api();
        var prompt = "a red square " + Guid.NewGuid().ToString("N");
        using var submitted = await api.PostAsync(
            new Uri("/v1/vision/jobs/images/generations", UriKind.Relative),
            Json(new JsonObject { ["model"] = "openai-compatible/image-model", ["prompt"] = prompt }));
        var submitText = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.StatusCode == HttpStatusCode.OK, $"Submit answered {(int)submitted.StatusCode}: {submitText}");
        var id = (string?)JsonNode.Parse(submitText)!["job_id"];
        Assert.False(string.IsNullOrEmpty(id), submitText);

        var job = await WaitForTerminalAsync(api, id!);

        Assert.True((string?)job["state"] == "succeeded", $"Job {id} ended {job["state"]}: {job.ToJsonString()}\n{system.Log.Tail()}");
        Assert.Equal(Convert.ToBase64String(FakeVisionUpstream.Png), (string?)job["result"]!["data"]![0]!["b64_json"]);

        // The worker's upstream generated it, once, with the job's idempotency key; the Api's upstream saw nothing:
        // with messaging set the Api only queues, and the jobs resource consumed the message from RabbitMQ.
        var generation = Assert.Single(system.WorkerUpstream.Requests, r => r.Body.Contains(prompt, StringComparison.Ordinal));
        Assert.Equal("/v1/images/generations", generation.Path);
        Assert.Equal("acore-job-" + id, generation.Headers["Idempotency-Key"]);
        Assert.DoesNotContain(system.GatewayUpstream.Requests, r => r.Path.Contains("/images/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_server_token_parameter_guards_the_api()
    {
        using var anonymous = system.App.CreateHttpClient("api", "http");
        using var withoutToken = await anonymous.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(ChatBody(stream: false)));
        using var wrong = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative)) { Content = Json(ChatBody(stream: false)) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-" + system.Token);
        using var withWrongToken = await anonymous.SendAsync(wrong);

        foreach (var response in new[] { withoutToken, withWrongToken })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
            Assert.False(string.IsNullOrEmpty((string?)error["message"]));
            Assert.NotNull(error["type"]);
        }
    }

    public void Dispose()
    {
        // The shared system's startup log goes to the first test that ends; every test gets what was logged during it.
        var start = Interlocked.Exchange(ref _startupLogShown, 1) == 0 ? 0 : _logMark;
        if (start == 0)
        {
            output.WriteLine($"System healthy after {system.StartupTime.TotalSeconds:0.0} s");
        }

        foreach (var line in system.Log.Since(start))
        {
            output.WriteLine(line);
        }
    }

    private static JsonObject ChatBody(bool stream) => new()
    {
        ["model"] = "onnx/" + SystemFixture.TinyModel,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        ["stream"] = stream,
    };

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<JsonNode> WaitForTerminalAsync(HttpClient api, string id)
    {
        var deadline = DateTime.UtcNow + JobPatience;
        while (true)
        {
            using var response = await api.GetAsync(new Uri($"/v1/vision/jobs/{id}", UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET job {id} answered {(int)response.StatusCode}: {text}");
            var job = JsonNode.Parse(text)!;
            if ((string?)job["state"] is "succeeded" or "failed")
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"Job {id} was still {job["state"]} after {JobPatience.TotalSeconds:0} s: {job.ToJsonString()}\n{system.Log.Tail()}");
            await Task.Delay(100);
        }
    }
}
