using AbstractCore.Aliases;

namespace AbstractCore.Tests.Aliases;

/// <summary>Which deployment the next attempt takes: health, limits and the failure so far first, then the strategy.</summary>
public sealed class DeploymentPickerTests
{
    private static DeploymentState[] States(string json)
    {
        var alias = ModelAliases.Parse(json).All.Single();
        return [.. alias.Deployments.Select(d => new DeploymentState(alias, d, (_, _) => { }))];
    }

    private static DeploymentState? Pick(DeploymentState[] states, AliasStrategy strategy = AliasStrategy.Weighted,
        IReadOnlyList<DeploymentState>? tried = null, Func<DeploymentState, bool>? allowed = null) =>
        DeploymentPicker.Pick(states, strategy, tried?.Aggregate(0UL, (bits, d) => bits | DeploymentPicker.Bit(d)) ?? 0, allowed);

    [Fact]
    public void Weight_zero_is_a_last_resort()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m"}, {"name": "z", "model": "vllm/m", "weight": 0}]}}""");

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Same(states[0], Pick(states)));
        Assert.Same(states[1], Pick(states, tried: [states[0]]));
        Assert.Null(Pick(states, tried: states));
    }

    [Fact]
    public void A_deployment_at_its_limit_is_taken_only_when_all_are()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m", "max_concurrency": 1}, {"name": "b", "model": "vllm/m", "max_concurrency": 1}]}}""");
        Assert.True(states[0].TryEnter());

        Assert.All(Enumerable.Range(0, 20), _ => Assert.Same(states[1], Pick(states)));
        Assert.True(states[1].TryEnter());
        Assert.NotNull(Pick(states)); // every one is full: the request queues on one of them
        Assert.False(states[1].TryEnter());
        states[1].Exit();
        Assert.Equal(0, states[1].InFlight);
    }

    [Fact]
    public void A_deployment_cooling_on_another_replica_is_skipped_until_its_cooldown_ends()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}""");
        states[0].ShareCooldown(TimeSpan.FromMinutes(1));

        Assert.Equal("shared", states[0].CoolingSource);
        Assert.Same(states[1], Pick(states));
        states[0].ShareCooldown(TimeSpan.Zero);
        Assert.Null(states[0].CoolingSource);
        Assert.Same(states[0], Pick(states));
    }

    [Fact]
    public void Rpm_counts_a_minute_window()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m", "rpm": 2}, {"name": "b", "model": "vllm/m", "weight": 0}]}}""");

        Assert.True(states[0].TryCountRequest());
        Assert.True(states[0].TryCountRequest());
        Assert.False(states[0].TryCountRequest());
        Assert.Same(states[1], Pick(states));
    }

    [Fact]
    public void Least_busy_takes_the_fewest_in_flight_and_latency_the_fastest()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m"}]}}""");
        Assert.True(states[0].TryEnter());
        states[0].RecordFirstByte(TimeSpan.FromMilliseconds(10));
        states[1].RecordFirstByte(TimeSpan.FromMilliseconds(200));

        Assert.Same(states[1], Pick(states, AliasStrategy.LeastBusy));
        Assert.Same(states[0], Pick(states, AliasStrategy.Latency));
    }

    [Fact]
    public void Weights_split_the_picks()
    {
        var states = States("""{"x": {"deployments": [{"name": "a", "model": "vllm/m", "weight": 3}, {"name": "b", "model": "vllm/m", "weight": 1}]}}""");

        var a = Enumerable.Range(0, 20_000).Count(_ => Pick(states) == states[0]);

        Assert.InRange(a / 20_000.0, 0.72, 0.78);
    }

    [Fact]
    public void A_failure_can_narrow_the_choice()
    {
        var states = States("""{"x": {"deployments": [{"name": "small", "model": "vllm/m", "context_window": 8192}, {"name": "big", "model": "vllm/m", "context_window": 131072}]}}""");

        Assert.Same(states[1], Pick(states, tried: [states[0]], allowed: d => d.Deployment.ContextWindow > 8192));
        Assert.Null(Pick(states, tried: [states[1]], allowed: d => d.Deployment.ContextWindow > 131072));
    }
}
