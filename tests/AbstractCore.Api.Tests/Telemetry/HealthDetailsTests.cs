using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Telemetry;

/// <summary>
/// <c>GET /health</c> is open and always 200 <c>{"status":"healthy","version","features"}</c>; only a caller presenting the server
/// token also gets <c>details</c>: every check with its status, duration and a description without credentials, so a
/// dependency that is down shows there.
/// </summary>
public sealed class HealthDetailsTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private static async Task<JsonObject> HealthAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static JsonObject Check(JsonObject health, string name) =>
        health["details"]!["checks"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();

    [Fact]
    public async Task Without_the_token_health_keeps_its_short_shape()
    {
        using var anonymous = fx.Gateway.CreateClient();
        var body = await HealthAsync(anonymous);
        Assert.Equal(["features", "status", "version"], body.Select(p => p.Key).Order());
        Assert.Equal("healthy", (string?)body["status"]);

        using var wrong = fx.Gateway.Http("not-the-token");
        Assert.Null((await HealthAsync(wrong))["details"]);
    }

    [Fact]
    public async Task Health_lists_the_originals_features_then_those_the_settings_enable()
    {
        using var anonymous = fx.Gateway.CreateClient();
        var features = (await HealthAsync(anonymous))["features"]!.AsArray().Select(f => (string?)f).ToList();
        Assert.Equal(["multi-agent-syntax-support", "auto-format-detection", "universal-tool-calls", "abstractcore-integration", "server-auth"], features);

        await using var local = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["ABSTRACTCORE_INFERENCE_URL"] = "http://127.0.0.1:1/v1",
        });
        using var http = local.CreateClient();
        var body = await HealthAsync(http);
        Assert.Equal(["multi-agent-syntax-support", "auto-format-detection", "universal-tool-calls", "abstractcore-integration",
            "local-onnx-inference", "prompt-cache-binding"], body["features"]!.AsArray().Select(f => (string?)f));
    }

    [Fact]
    public async Task With_the_server_token_health_lists_every_check()
    {
        using var http = fx.Http();
        var body = await HealthAsync(http);
        Assert.Equal("healthy", (string?)body["status"]);
        Assert.False(string.IsNullOrEmpty((string?)body["version"]));
        var details = body["details"]!;
        Assert.Equal("healthy", (string?)details["status"]);
        Assert.True((double)details["duration_ms"]! >= 0);
        var self = Check(body, "self");
        Assert.Equal("healthy", (string?)self["status"]);
        Assert.True((double)self["duration_ms"]! >= 0);
        Assert.Equal("healthy", (string?)Check(body, "masstransit-bus")["status"]); // the in-memory job bus
    }

    [Fact]
    public async Task With_auth_disabled_nobody_gets_the_details()
    {
        await using var open = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "1",
            ["ABSTRACTCORE_INFERENCE_URL"] = "http://127.0.0.1:1/v1",
        });
        using var http = open.Http("anything");
        var body = await HealthAsync(http);
        Assert.Null(body["details"]);
        Assert.Equal("healthy", (string?)body["status"]);
    }

    [Fact]
    public async Task A_down_inference_service_shows_as_degraded_with_where_it_was_looked_for()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ABSTRACTCORE_INFERENCE_URL"] = "http://127.0.0.1:1/v1",
        });
        using var http = gateway.Http(GatewayFixture.Token);
        var body = await HealthAsync(http);
        Assert.Equal("healthy", (string?)body["status"]); // liveness: the gateway itself answers
        Assert.Equal("degraded", (string?)body["details"]!["status"]);
        var inference = Check(body, "inference");
        Assert.Equal("degraded", (string?)inference["status"]);
        Assert.Contains("http://127.0.0.1:1", (string?)inference["description"], StringComparison.Ordinal);
        Assert.Contains("unreachable", (string?)inference["description"], StringComparison.Ordinal);

        using var anonymous = gateway.CreateClient();
        Assert.Null((await HealthAsync(anonymous))["details"]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ready")).StatusCode); // degraded is still ready
    }

    [Fact]
    public async Task Down_redis_and_rabbitmq_show_as_degraded_and_their_credentials_never_appear()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ConnectionStrings:cache"] = "127.0.0.1:1,password=redis-secret-pw,connectTimeout=500",
            ["ConnectionStrings:messaging"] = "amqp://acore:rabbit-secret-pw@127.0.0.1:1/",
        });
        using var http = gateway.Http(GatewayFixture.Token);
        using var response = await http.GetAsync("/health");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("redis-secret-pw", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rabbit-secret-pw", text, StringComparison.Ordinal);

        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("healthy", (string?)body["status"]);
        Assert.Equal("degraded", (string?)body["details"]!["status"]);
        Assert.Equal("degraded", (string?)Check(body, "StackExchange.Redis")["status"]); // chat works without it
        var rabbit = Check(body, "rabbitmq");
        Assert.Equal("degraded", (string?)rabbit["status"]); // only job submissions need it (they answer 503)
        Assert.Contains("127.0.0.1:1", (string?)rabbit["description"], StringComparison.Ordinal);

        using var anonymous = gateway.CreateClient();
        Assert.Null((await HealthAsync(anonymous))["details"]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ready")).StatusCode); // chat needs neither
    }

    [Theory]
    [InlineData("amqp://user:hunter2@host:5672/ is down", "amqp://***@host:5672/ is down")]
    [InlineData("localhost:6379,password=hunter2,ssl=false", "localhost:6379,password=***,ssl=false")]
    [InlineData("sent Bearer hunter2 upstream", "sent Bearer *** upstream")]
    public void Descriptions_lose_credentials(string description, string shown) =>
        Assert.Equal(shown, AbstractCore.Api.Health.HealthDetails.Describe(description));
}
