using AbstractCore.Aliases;
using AbstractCore.Api.Aliases;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// Cooldowns shared through Redis, at the router (<see cref="AliasRouter.RunAsync(AliasCall, AliasAttempt, CancellationToken)"/>, as the alias handlers call it):
/// a circuit opened on one replica is honoured by the other after a refresh and shown in its <c>/health</c>; Redis
/// killed changes nothing for the requests and the local cooldowns; a deployment that answers again closes its circuit
/// and deletes the shared key.
/// </summary>
public sealed class CooldownSharingTests(CooldownFixture fx) : IClassFixture<CooldownFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fx.RedisUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_cooldown_opened_on_one_replica_is_honoured_by_the_other()
    {
        await OpenCircuitAsync(fx.First, "t1/shared");
        var onSecond = CooldownFixture.State(fx.Second, "t1/shared", "a");
        await Eventually.TrueAsync(() => onSecond.CoolingSource == "shared", "the second replica to read a's shared cooldown");

        var tried = await RouteAsync(fx.Second, "t1/shared", 20);

        Assert.Equal(Enumerable.Repeat("b", 20), tried);
        var (_, description) = await CooldownFixture.RoutingHealthAsync(fx.Second); // status: another test's alias may be all cooling
        Assert.Contains("t1/shared/a (shared, ", description, StringComparison.Ordinal);
        Assert.DoesNotContain("t1/shared/b", description, StringComparison.Ordinal);
        Assert.DoesNotContain("http", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_killed_fails_no_request_and_local_cooldowns_still_apply()
    {
        await fx.Redis.KillAsync();

        await OpenCircuitAsync(fx.First, "t2/outage"); // every request answered by b meanwhile
        var tried = await RouteAsync(fx.First, "t2/outage", 10);

        Assert.Equal(Enumerable.Repeat("b", 10), tried);
        Assert.Contains("t2/outage/a (local, ", (await CooldownFixture.RoutingHealthAsync(fx.First)).Description, StringComparison.Ordinal);

        // Back: the cooldown whose write failed reaches Redis (and so the other replicas).
        await fx.RedisUpAsync();
        await Eventually.TrueAsync(() => fx.Database.KeyExistsAsync(Key("t2/outage", "a")), "the unsent cooldown to be written once Redis is back");
    }

    [Fact]
    public async Task A_deployment_that_answers_again_closes_its_circuit_and_deletes_the_shared_key()
    {
        var a = await OpenCircuitAsync(fx.First, "t3/quick");
        await Eventually.TrueAsync(() => a.LocalCoolingLeft == TimeSpan.Zero, "a's 1 s cooldown to pass");
        // Another replica's later cooldown of a, still running when a answers here.
        await fx.Database.StringSetAsync(Key("t3/quick", "a"), "1", TimeSpan.FromSeconds(30));

        // The attempt after the break, as the router runs it: Polly half-opens the circuit and a success closes it.
        await a.Breaker.ExecuteAsync(static _ => ValueTask.CompletedTask);

        await Eventually.TrueAsync(async () => !await fx.Database.KeyExistsAsync(Key("t3/quick", "a")), "a's shared key to be deleted");
        await Eventually.TrueAsync(() => a.CoolingSource is null, "a to be routable again");
        Assert.DoesNotContain("t3/quick/a", (await CooldownFixture.RoutingHealthAsync(fx.First)).Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_degraded_while_every_deployment_of_an_alias_cools_down()
    {
        await OpenCircuitAsync(fx.First, "t4/solo");

        var (status, description) = await CooldownFixture.RoutingHealthAsync(fx.First);

        Assert.Equal("degraded", status);
        Assert.Contains("Every deployment of t4/solo is cooling down", description, StringComparison.Ordinal);
        Assert.Contains("t4/solo/a (local, ", description, StringComparison.Ordinal);
    }

    private static RedisKey Key(string alias, string deployment) => RedisCooldowns.KeyPrefix + alias + "\n" + deployment;

    /// <summary>Routes requests until a's circuit opens on <paramref name="gateway"/>; a request a alone serves may fail.</summary>
    private static async Task<DeploymentState> OpenCircuitAsync(WebApplicationFactory<Program> gateway, string alias)
    {
        var a = CooldownFixture.State(gateway, alias, "a");
        for (var i = 0; i < 100 && a.CoolingSource != "local"; i++)
        {
            await RouteAsync(gateway, alias, 1, alone: a.Alias.Deployments.Count == 1);
        }

        Assert.Equal("local", a.CoolingSource);
        return a;
    }

    /// <summary>Runs <paramref name="requests"/> through the alias's router, where a fails as unreachable and b answers;
    /// the deployments each attempt went to.</summary>
    private static async Task<List<string>> RouteAsync(WebApplicationFactory<Program> gateway, string alias, int requests, bool alone = false)
    {
        var router = CooldownFixture.Router(gateway);
        var tried = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            var call = router.Call(router.Aliases.Find(alias)!, static _ => false, null, callersKey: false);
            var run = router.RunAsync(call, (d, _) =>
            {
                tried.Add(d.Deployment.Name);
                return d.Deployment.Name == "a"
                    ? Task.FromException(new GatewayException(502, "a is unreachable", "api_error", code: "upstream_unreachable"))
                    : Task.CompletedTask;
            }, CancellationToken.None);
            if (alone)
            {
                await Assert.ThrowsAnyAsync<GatewayException>(() => run.AsTask());
            }
            else
            {
                await run;
            }
        }

        return tried;
    }
}
