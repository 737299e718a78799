using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Keys;

/// <summary>Two gateway replicas sharing one real Redis (keys, limits and spend), before one fake upstream.</summary>
public sealed class SharedKeysFixture : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = RedisServerFixture.Persistent(); // an outage must not wipe the keys
    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory A { get; private set; } = null!;
    public GatewayFactory B { get; private set; } = null!;

    private string _prices = "";

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        Upstream = await FakeOpenAIUpstream.StartAsync(record: false);
        _prices = Path.Combine(Path.GetTempPath(), "acore-prices-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(_prices, """{"version":1,"models":{"fake-model":{"input_per_mtok":1000,"output_per_mtok":1000}}}""");
        A = Replica();
        B = Replica();
        _ = A.Server;
        _ = B.Server;
    }

    private GatewayFactory Replica() => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
        ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
        ["ConnectionStrings:cache"] = Redis.ConnectionString,
        ["ABSTRACTCORE_PRICES_FILE"] = _prices,
        ["ABSTRACTCORE_KEY_LIMITS_FETCH_WAIT_MS"] = "5000", // exactness needs Redis's answer; a loaded test machine may take a while
        ["ABSTRACTCORE_KEY_LIMITS_SYNC_MS"] = "100",
    });

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Upstream.DisposeAsync();
        await Redis.DisposeAsync();
        File.Delete(_prices);
    }

    public static HttpClient Http(GatewayFactory replica, string token)
    {
        var http = replica.Http(token);
        http.Timeout = TimeSpan.FromSeconds(30); // a replica that waits on a dead Redis fails the test
        return http;
    }
}

/// <summary>
/// Limits and spend across replicas: an RPM limit admits exactly its number of requests however they are spread, tokens
/// per minute count the upstream's real usage, and a Redis outage neither stops requests nor loses or doubles spend.
/// </summary>
public sealed class SharedKeysTests(SharedKeysFixture fx) : IClassFixture<SharedKeysFixture>
{
    private const string Chat = """{"model":"openai-compatible/fake-model","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task An_rpm_limit_admits_exactly_its_requests_across_two_replicas()
    {
        using var admin = SharedKeysFixture.Http(fx.A, GatewayFixture.Token);
        var (id, secret) = await KeyAdmin.CreateAsync(admin, "\"rpm\":100");
        using var a = SharedKeysFixture.Http(fx.A, secret);
        using var b = SharedKeysFixture.Http(fx.B, secret);

        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? a : b).PostAsync("/v1/chat/completions", Wire.Json(Chat));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal("rate_limit_exceeded", (string?)error["error"]!["code"]);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("100", Wire.Header(response, "x-ratelimit-limit-requests"));
                Assert.Equal("0", Wire.Header(response, "x-ratelimit-remaining-requests"));
            }

            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(calls);

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Tpm_counts_the_upstreams_real_usage()
    {
        using var admin = SharedKeysFixture.Http(fx.A, GatewayFixture.Token);
        var (_, secret) = await KeyAdmin.CreateAsync(admin, "\"tpm\":40"); // the fake's answer uses 11 + 7 = 18 tokens
        using var a = SharedKeysFixture.Http(fx.A, secret);

        using var first = await a.PostAsync("/v1/chat/completions", Wire.Json(Chat));
        using var second = await a.PostAsync("/v1/chat/completions", Wire.Json(Chat));
        using var third = await a.PostAsync("/v1/chat/completions", Wire.Json(Chat));
        using var fourth = await a.PostAsync("/v1/chat/completions", Wire.Json(Chat));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode); // 36 of 40 used when it came
        Assert.Equal("4", Wire.Header(third, "x-ratelimit-remaining-tokens"));
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode); // 54 used
        var error = JsonNode.Parse(await fourth.Content.ReadAsStringAsync())!;
        Assert.Contains("tokens per minute", (string?)error["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_killed_mid_test_requests_keep_flowing_and_spend_is_counted_once_when_it_returns()
    {
        using var admin = SharedKeysFixture.Http(fx.A, GatewayFixture.Token);
        var (id, secret) = await KeyAdmin.CreateAsync(admin, "\"rpm\":1000,\"budget_usd\":100");
        using var a = SharedKeysFixture.Http(fx.A, secret);
        using var b = SharedKeysFixture.Http(fx.B, secret);
        for (var i = 0; i < 10; i++)
        {
            using var response = await (i % 2 == 0 ? a : b).PostAsync("/v1/chat/completions", Wire.Json(Chat));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await fx.Redis.KillAsync();
        for (var i = 0; i < 10; i++)
        {
            using var response = await (i % 2 == 0 ? a : b).PostAsync("/v1/chat/completions", Wire.Json(Chat));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await fx.Redis.RestartAsync();

        // Each replica writes its spend when Redis answers again; both then read the shared total: 20 requests, once each.
        var expected = 20 * 18 * 1000m / 1_000_000m;
        foreach (var replica in new[] { fx.A, fx.B })
        {
            using var http = SharedKeysFixture.Http(replica, GatewayFixture.Token);
            decimal? cost = null;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (cost != expected && DateTime.UtcNow < deadline)
            {
                var (response, body) = await Wire.GetAsync(http, $"/acore/spend?key_id={id}&group_by=key");
                cost = response.IsSuccessStatusCode && body!["data"]!.AsArray().SingleOrDefault() is { } row ? (decimal)row["cost_usd"]! : null;
                await Task.Delay(cost == expected ? 0 : 200);
            }

            Assert.Equal(expected, cost);
        }
    }
}
