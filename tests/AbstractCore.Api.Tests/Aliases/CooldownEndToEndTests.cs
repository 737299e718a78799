using System.Diagnostics.Metrics;
using System.Net;
using AbstractCore.Api.Aliases;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Aliases;

/// <summary>
/// Shared cooldowns over HTTP: chat completions for an alias whose deployment a (a fake upstream answering 500) opens its
/// circuit on the first replica; the second replica, sharing Redis, then never sends to a. With Redis killed every
/// request is still answered and the first replica's own cooldown still keeps a out.
/// </summary>
public sealed class CooldownEndToEndTests(CooldownFixture fx) : IClassFixture<CooldownFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fx.RedisUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_cooldown_set_by_one_replica_is_honoured_by_a_second_sharing_redis()
    {
        await OpenCircuitAsync(fx.First, "e2e/shared");
        var onSecond = CooldownFixture.State(fx.Second, "e2e/shared", "a");
        await Eventually.TrueAsync(() => onSecond.CoolingSource == "shared", "the second replica to read a's shared cooldown");
        await Task.Delay(2 * CooldownFixture.RefreshMs); // a refresh period or two more: nothing changes it back
        var sentToA = fx.FailingA.ChatRequestCount;

        var answeredBy = await ChatAsync(fx.Second, "e2e/shared", 20);

        Assert.Equal(Enumerable.Repeat("b", 20), answeredBy);
        Assert.Equal(sentToA, fx.FailingA.ChatRequestCount);
        var (_, description) = await CooldownFixture.RoutingHealthAsync(fx.Second);
        Assert.Contains("e2e/shared/a (shared, ", description, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", description, StringComparison.Ordinal);
        Assert.Contains(CooldownLeft(fx.Second), m => m.Value > 0 &&
            m.Tags["abstractcore.alias"] is "e2e/shared" && m.Tags["abstractcore.deployment"] is "a" && m.Tags["abstractcore.cooldown_source"] is "shared");
    }

    [Fact]
    public async Task With_redis_killed_every_request_is_answered_and_local_cooldowns_still_work()
    {
        await fx.Redis.KillAsync();

        await OpenCircuitAsync(fx.First, "e2e/outage"); // each request answered (by b) meanwhile
        var sentToA = fx.FailingA.ChatRequestCount;
        var answeredBy = await ChatAsync(fx.First, "e2e/outage", 10);

        Assert.Equal(Enumerable.Repeat("b", 10), answeredBy);
        Assert.Equal(sentToA, fx.FailingA.ChatRequestCount);
        Assert.Contains("e2e/outage/a (local, ", (await CooldownFixture.RoutingHealthAsync(fx.First)).Description, StringComparison.Ordinal);

        // Told once (not at every failed refresh), and once more when Redis is back.
        await Eventually.TrueAsync(() => Logged(LogLevel.Warning).Count > 0, "the warning that Redis is away");
        await fx.RedisUpAsync();
        await Eventually.TrueAsync(() => Logged(LogLevel.Information).Count > 0, "the note that Redis answers again");
        var warning = Assert.Single(Logged(LogLevel.Warning));
        Assert.Contains("own cooldowns still apply", warning, StringComparison.Ordinal);
    }

    /// <summary>What <c>abstractcore.routing.cooldown_left</c> reports on <paramref name="gateway"/> (its own meters only).</summary>
    private static List<(double Value, Dictionary<string, object?> Tags)> CooldownLeft(WebApplicationFactory<Program> gateway)
    {
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        var seen = new List<(double, Dictionary<string, object?>)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == CooldownMetrics.LeftInstrument && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            seen.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private List<string> Logged(LogLevel level) =>
        [.. fx.Logs.Entries.Where(e => e.Category == typeof(RedisCooldownSync).FullName && e.Level == level).Select(e => e.Line)];

    /// <summary>Sends chat requests for the alias until a's circuit opens on <paramref name="gateway"/>; each one answered.</summary>
    private static async Task OpenCircuitAsync(WebApplicationFactory<Program> gateway, string alias)
    {
        var a = CooldownFixture.State(gateway, alias, "a");
        for (var i = 0; i < 100 && a.CoolingSource != "local"; i++)
        {
            await ChatAsync(gateway, alias, 1);
        }

        Assert.Equal("local", a.CoolingSource);
    }

    /// <summary>Non-streamed chat completions for the alias, each asserted answered; the deployments that answered.</summary>
    private static async Task<List<string>> ChatAsync(WebApplicationFactory<Program> gateway, string alias, int requests)
    {
        using var http = CooldownFixture.Http(gateway);
        var answeredBy = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            var (response, body) = await Wire.PostAsync(http, "/v1/chat/completions",
                $$"""{"model":"{{alias}}","messages":[{"role":"user","content":"hi"}]}""");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body?.ToJsonString()}");
            answeredBy.Add(Wire.Header(response, "X-AbstractCore-Deployment")!);
        }

        return answeredBy;
    }
}
