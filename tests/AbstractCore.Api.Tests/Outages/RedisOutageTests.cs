using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using AbstractCore.Api.Tests.Responses;

namespace AbstractCore.Api.Tests.Outages;

/// <summary>
/// A gateway whose Redis (stored responses, job records, capability defaults) is a real <c>redis-server</c> that the
/// tests kill by its process id and start again on the same port. The upstream keeps answering throughout.
/// </summary>
public sealed class RedisOutageFixture : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = new();
    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = Redis.ConnectionString,
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>A client whose timeout bounds every wait: a gateway that hangs on a dead Redis fails the test.</summary>
    public HttpClient Http()
    {
        var http = Gateway.Http(GatewayFixture.Token);
        http.Timeout = TimeSpan.FromSeconds(10);
        return http;
    }

    /// <summary>Redis running and the gateway's client connected to it again (a read answers 404, not 503).</summary>
    public async Task RedisUpAsync()
    {
        await Redis.RestartAsync();
        using var http = Http();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var response = await http.GetAsync("/v1/responses/resp_probe");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The gateway did not reach Redis again within 30 s (last answer {(int)response.StatusCode}).");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// Redis down: an answer the upstream already gave is never lost (kept, with <c>X-AbstractCore-Warning</c>, and a
/// stream completes), what needs the store answers 503 <c>store_unavailable</c> promptly, health says degraded while
/// chat works, and once Redis is back the store works again without a restart.
/// </summary>
public sealed class RedisOutageTests(RedisOutageFixture fx) : IClassFixture<RedisOutageFixture>, IAsyncLifetime
{
    private const string NotStored = "response not stored: the response store is unavailable";

    public Task InitializeAsync() => fx.RedisUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_response_the_store_cannot_keep_is_still_answered_with_a_warning()
    {
        using var http = fx.Http();
        await fx.Redis.KillAsync();
        fx.Upstream.Enqueue(FakeReply.Text("Answered while Redis was down."));

        var (response, body) = await Wire.PostAsync(http, "/v1/responses", """{"model":"openai-compatible/fake-model","input":"hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Answered while Redis was down.", (string?)body!["output"]![0]!["content"]![0]!["text"]);
        Assert.Equal(NotStored, Wire.Header(response, "X-AbstractCore-Warning"));
    }

    [Fact]
    public async Task A_streamed_response_completes_when_the_store_fails_at_its_end()
    {
        using var http = fx.Http();
        await fx.Redis.KillAsync();
        fx.Upstream.Enqueue(FakeReply.Text("Streamed while Redis was down."));

        var (response, events) = await ResponsesClients.StreamAsync(http, """{"model":"openai-compatible/fake-model","input":"hi","stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.Equal("Streamed while Redis was down.", (string?)events[^1].Data["response"]!["output"]![0]!["content"]![0]!["text"]);
    }

    public static TheoryData<string, string, string?> StoreRoutes => new()
    {
        { "GET", "/v1/responses/resp_gone", null },
        { "GET", "/v1/responses/resp_gone/input_items", null },
        { "DELETE", "/v1/responses/resp_gone", null },
        { "POST", "/v1/responses", """{"model":"openai-compatible/fake-model","input":"and now?","previous_response_id":"resp_gone"}""" },
        { "GET", "/v1/vision/jobs/job_gone", null },
        { "GET", "/v1/config/capability-defaults", null },
        { "PUT", "/v1/config/capability-defaults/output/audio/tts", """{"provider":"openai","model":"gpt-4o-mini-tts"}""" },
        { "POST", "/v1/embeddings", """{"input":"no model: the capability default is looked up"}""" },
    };

    /// <summary>Every request that needs the store, all at once while it is down: each a prompt 503 in the envelope.</summary>
    [Fact]
    public async Task What_needs_the_store_answers_503_store_unavailable_while_redis_is_down()
    {
        using var http = fx.Http();
        await fx.Redis.KillAsync();
        var sentBefore = fx.Upstream.Requests.Count;

        var answers = await Task.WhenAll(StoreRoutes.Select(async row =>
        {
            var (method, path, json) = ((string)row[0], (string)row[1], (string?)row[2]);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = json is null ? null : Wire.Json(json) };
            using var response = await http.SendAsync(request);
            return (Route: $"{method} {path}", response.StatusCode, Retry: response.Headers.RetryAfter?.Delta,
                Body: JsonNode.Parse(await response.Content.ReadAsStringAsync()));
        }));

        Assert.All(answers, a =>
        {
            Assert.True(a.StatusCode == HttpStatusCode.ServiceUnavailable, $"{a.Route} answered {(int)a.StatusCode}: {a.Body?.ToJsonString()}");
            var error = a.Body!["error"]!;
            Assert.Equal("store_unavailable", (string?)error["code"]);
            Assert.Equal("service_unavailable", (string?)error["type"]);
            Assert.Contains("unavailable", (string?)error["message"], StringComparison.Ordinal);
            Assert.NotNull(a.Retry);
        });
        Assert.Equal(sentBefore, fx.Upstream.Requests.Count); // previous_response_id: nothing was sent upstream
    }

    [Fact]
    public async Task Health_is_degraded_not_unhealthy_while_only_redis_is_down_and_chat_works()
    {
        using var http = fx.Http();
        await fx.Redis.KillAsync();
        fx.Upstream.Enqueue(FakeReply.Text("Still chatting."));

        var (chat, completion) = await Wire.PostAsync(http, "/v1/chat/completions", Wire.Chat(GatewayFixture.Model, ("user", "hi")));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("Still chatting.", (string?)completion!["choices"]![0]!["message"]!["content"]);

        var healthTask = Wire.GetAsync(http, "/health");
        using var ready = await http.GetAsync("/ready");
        var (health, body) = await healthTask;

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // the load balancer keeps the replica: chat still works
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("degraded", (string?)body!["details"]!["status"]);
        var redis = body["details"]!["checks"]!.AsArray().Single(c => (string?)c!["name"] == "StackExchange.Redis")!;
        Assert.Equal("degraded", (string?)redis["status"]);
    }

    [Fact]
    public async Task A_gateway_started_while_redis_is_down_serves_chat_and_answers_store_reads_503()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = fx.Upstream.BaseUrl.AbsoluteUri,
            ["ConnectionStrings:cache"] = "127.0.0.1:1", // nothing listens there
        });
        using var http = gateway.Http(GatewayFixture.Token);
        http.Timeout = TimeSpan.FromSeconds(10);
        fx.Upstream.Enqueue(FakeReply.Text("No Redis needed."));

        var (chat, _) = await Wire.PostAsync(http, "/v1/chat/completions", Wire.Chat(GatewayFixture.Model, ("user", "hi")));
        var (read, error) = await Wire.GetAsync(http, "/v1/responses/resp_any");

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal("store_unavailable", (string?)error!["error"]!["code"]);
    }

    [Fact]
    public async Task Once_redis_is_back_responses_are_stored_and_read_again()
    {
        using var http = fx.Http();
        await fx.Redis.KillAsync();
        fx.Upstream.Enqueue(FakeReply.Text("Not kept."));
        var (during, _) = await Wire.PostAsync(http, "/v1/responses", """{"model":"openai-compatible/fake-model","input":"one"}""");
        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal(NotStored, Wire.Header(during, "X-AbstractCore-Warning"));

        await fx.RedisUpAsync(); // the same client reconnects on its own
        fx.Upstream.Enqueue(FakeReply.Text("Kept."));
        var (after, created) = await Wire.PostAsync(http, "/v1/responses", """{"model":"openai-compatible/fake-model","input":"two"}""");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Null(Wire.Header(after, "X-AbstractCore-Warning"));

        var (fetched, stored) = await Wire.GetAsync(http, $"/v1/responses/{(string?)created!["id"]}");
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("Kept.", (string?)stored!["output"]![0]!["content"]![0]!["text"]);
    }
}
