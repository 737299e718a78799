using System.Text.Json.Nodes;
using AbstractCore.Aliases;
using AbstractCore.Api.Aliases;
using AbstractCore.Api.Tests.Auth;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// Two gateway replicas sharing one real <c>redis-server</c> (killed and restarted by the tests), each with the same
/// aliases over two fake upstreams: <c>a</c> always answers 500, <c>b</c> answers. Each test uses its own alias, so the
/// cooldowns of one do not leak into the next.
/// </summary>
public sealed class CooldownFixture : IAsyncLifetime
{
    /// <summary>Short, so a test waits little for the other replica to see a change.</summary>
    public const int RefreshMs = 100;

    public RedisServerFixture Redis { get; } = new();
    public FakeOpenAIUpstream FailingA { get; private set; } = null!;
    public FakeOpenAIUpstream HealthyB { get; private set; } = null!;
    private GatewayFactory _first = null!;

    /// <summary>The first replica, its log captured in <see cref="Logs"/>.</summary>
    public WebApplicationFactory<Program> First { get; private set; } = null!;
    public WebApplicationFactory<Program> Second { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await Redis.InitializeAsync();
        FailingA = await FakeOpenAIUpstream.StartAsync();
        FailingA.DefaultReply = FakeReply.Error(500, "deployment a is down", "server_error");
        HealthyB = await FakeOpenAIUpstream.StartAsync();
        _first = Gateway();
        First = _first.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs)));
        Second = Gateway();
        _ = First.Server;
        _ = Second.Server;
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await _first.DisposeAsync();
        await Second.DisposeAsync();
        await FailingA.DisposeAsync();
        await HealthyB.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>The aliases, one per test: a (failing) and b (healthy), cooling after 2 failures.</summary>
    public string Aliases() =>
        new JsonObject
        {
            ["t1/shared"] = Alias(cooldownS: 30),
            ["t2/outage"] = Alias(cooldownS: 30),
            ["t3/quick"] = Alias(cooldownS: 1),
            ["e2e/shared"] = Alias(cooldownS: 30),
            ["e2e/outage"] = Alias(cooldownS: 30),
            ["t4/solo"] = new JsonObject { ["deployments"] = new JsonArray(Deployment("a", FailingA)), ["failures_to_cool"] = 2, ["cooldown_s"] = 30 },
        }.ToJsonString();

    public static AliasRouter Router(WebApplicationFactory<Program> gateway) => gateway.Services.GetRequiredService<AliasRouter>();

    public static DeploymentState State(WebApplicationFactory<Program> gateway, string alias, string deployment) => Router(gateway).ByKey[alias + "\n" + deployment];

    /// <summary>The shared Redis, through the first replica's client.</summary>
    public IDatabase Database => First.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    /// <summary>Redis running and the first replica's client connected to it again.</summary>
    public async Task RedisUpAsync()
    {
        await Redis.RestartAsync();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await Database.PingAsync();
                return true;
            }
            catch (RedisException)
            {
                return false;
            }
        }, "the gateway's Redis client to reconnect");
    }

    /// <summary><c>/health</c>'s <c>routing</c> check, as the operator sees it.</summary>
    public static async Task<(string Status, string Description)> RoutingHealthAsync(WebApplicationFactory<Program> gateway)
    {
        using var http = Http(gateway);
        var body = JsonNode.Parse(await http.GetStringAsync(new Uri("/health", UriKind.Relative)))!;
        var check = body["details"]!["checks"]!.AsArray().Single(c => (string?)c!["name"] == RoutingHealthCheck.Name)!;
        return ((string)check["status"]!, (string)check["description"]!);
    }

    /// <summary>A client to <paramref name="gateway"/> with the server token.</summary>
    public static HttpClient Http(WebApplicationFactory<Program> gateway)
    {
        var http = gateway.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        http.Timeout = TimeSpan.FromSeconds(10); // a request waiting on a dead Redis fails the test
        return http;
    }

    private GatewayFactory Gateway() => new(new Dictionary<string, string?>
    {
        ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
        ["OPENAI_COMPATIBLE_BASE_URL"] = HealthyB.BaseUrl.AbsoluteUri,
        ["OPENAI_COMPATIBLE_API_KEY"] = "upstream-key",
        ["ConnectionStrings:cache"] = Redis.ConnectionString,
        [ModelAliases.Setting] = Aliases(),
        ["Logging:LogLevel:" + typeof(RedisCooldownSync).Namespace] = "Information",
        [RedisCooldownSync.RefreshSetting] = RefreshMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private JsonObject Alias(int cooldownS) => new()
    {
        ["deployments"] = new JsonArray(Deployment("a", FailingA), Deployment("b", HealthyB)),
        ["failures_to_cool"] = 2,
        ["cooldown_s"] = cooldownS,
        ["max_attempts"] = 2,
    };

    private static JsonObject Deployment(string name, FakeOpenAIUpstream upstream) => new()
    {
        ["name"] = name,
        ["model"] = "openai-compatible/fake-model",
        ["base_url"] = upstream.BaseUrl.AbsoluteUri,
    };
}

/// <summary>Waits for a condition another task or replica brings about; fails with what it waited for.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {seconds} s for {what}.");
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, int seconds = 30) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);
}
