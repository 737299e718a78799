using AbstractCore.Aliases;
using AbstractCore.Upstream;

namespace AbstractCore.Tests.Aliases;

/// <summary>The retry and circuit-breaker rules on plain attempts, no HTTP: which deployment each attempt reaches.</summary>
public sealed class AliasRouterTests
{
    private sealed class Share : ICooldownShare
    {
        public List<(string Deployment, TimeSpan Left)> Published { get; } = [];

        public void Publish(DeploymentState deployment, TimeSpan left)
        {
            lock (Published)
            {
                Published.Add((deployment.Deployment.Name, left));
            }
        }
    }

    private static (AliasRouter Router, ModelAlias Alias, Share Share) Router(string json)
    {
        var aliases = ModelAliases.Parse(json);
        var share = new Share();
        return (new AliasRouter(aliases, share), aliases.All.Single(), share);
    }

    private static GatewayException Status(int upstream, params (string, string)[] headers)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [UpstreamFailure.StatusHeader] = upstream.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (n, v) in headers)
        {
            all[n] = v;
        }

        return new GatewayException(upstream == 429 ? 429 : 502, "failed", "upstream_error") { Headers = all };
    }

    /// <summary>Runs one request whose attempts answer, per deployment name, with the next outcome in its queue (null: success).</summary>
    private static async Task<(List<string> Reached, Exception? Failure, AliasCall Call)> RunAsync(
        AliasRouter router, ModelAlias alias, Dictionary<string, Queue<Exception?>> outcomes, Func<bool>? started = null)
    {
        var reached = new List<string>();
        var call = router.Call(alias, static s => ((Func<bool>?)s)?.Invoke() == true, started, callersKey: false);
        try
        {
            await router.RunAsync(call, (d, _) =>
            {
                reached.Add(d.Deployment.Name);
                return outcomes[d.Deployment.Name].TryDequeue(out var e) && e is not null ? Task.FromException(e) : Task.CompletedTask;
            }, CancellationToken.None);
            return (reached, null, call);
        }
        catch (GatewayException e)
        {
            return (reached, e, call);
        }
    }

    private const string TwoDeployments = """
        {"x": {"failures_to_cool": 2, "cooldown_s": 30, "deployments": [
          {"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}
        """;

    [Fact]
    public async Task A_failure_goes_on_to_the_next_deployment_at_once()
    {
        var (router, alias, _) = Router(TwoDeployments);

        var (reached, failure, call) = await RunAsync(router, alias, new() { ["a"] = new([Status(500)]), ["b"] = new() });

        Assert.Null(failure);
        Assert.Equal(["a", "b"], reached);
        Assert.Equal((2, "b", "status_5xx"), (call.Attempts, call.Deployment!.Deployment.Name, call.RetryReason));
        Assert.Equal(TimeSpan.Zero, call.Waited);
    }

    [Fact]
    public async Task A_429_on_the_only_deployment_is_retried_after_its_retry_after()
    {
        var (router, alias, _) = Router("""{"x": {"deployments": [{"name": "a", "model": "vllm/m"}]}}""");

        var (reached, failure, call) = await RunAsync(router, alias, new() { ["a"] = new([Status(429, ("Retry-After", "0.2"))]) });

        Assert.Null(failure);
        Assert.Equal(["a", "a"], reached);
        Assert.Equal(TimeSpan.FromMilliseconds(200), call.Waited);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_gateway_waits_is_the_clients()
    {
        var (router, alias, _) = Router("""{"x": {"deployments": [{"name": "a", "model": "vllm/m"}]}}""");

        var (reached, failure, _) = await RunAsync(router, alias, new() { ["a"] = new([Status(429, ("Retry-After", "120"))]) });

        Assert.Equal(["a"], reached);
        Assert.Equal(429, ((GatewayException)failure!).Status);
    }

    [Fact]
    public async Task A_final_failure_is_answered_without_another_attempt()
    {
        var (router, alias, _) = Router(TwoDeployments);

        var (reached, failure, _) = await RunAsync(router, alias, new() { ["a"] = new([Status(400)]), ["b"] = new() });

        Assert.Equal(["a"], reached);
        Assert.NotNull(failure);
    }

    [Fact]
    public async Task Nothing_is_retried_once_the_client_got_a_byte()
    {
        var (router, alias, _) = Router(TwoDeployments);

        var (reached, failure, _) = await RunAsync(router, alias, new() { ["a"] = new([Status(500)]), ["b"] = new() }, started: () => true);

        Assert.Equal(["a"], reached);
        Assert.NotNull(failure);
    }

    [Fact]
    public async Task Repeated_failures_open_the_circuit_which_is_shared_and_skipped()
    {
        var (router, alias, share) = Router(TwoDeployments);
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([Status(500), Status(500)]), ["b"] = new() };

        await RunAsync(router, alias, outcomes);
        await RunAsync(router, alias, outcomes);
        var (reached, failure, _) = await RunAsync(router, alias, outcomes);

        Assert.Null(failure);
        Assert.Equal(["b"], reached); // a is cooling down: not even tried
        var a = router.ByKey["x\na"];
        Assert.Equal("local", a.CoolingSource);
        Assert.Contains(("a", TimeSpan.FromSeconds(30)), share.Published);
    }

    [Fact]
    public async Task Answers_between_failures_reach_the_breaker_which_then_keeps_the_circuit_closed()
    {
        // A first attempt on a closed circuit runs outside the breaker; an answer is told to it before the next failure.
        var (router, alias, _) = Router("""{"x": {"failures_to_cool": 2, "max_attempts": 1, "deployments": [{"name": "a", "model": "vllm/m"}]}}""");
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([Status(500), null, Status(500), null, Status(500)]) };

        for (var i = 0; i < 5; i++)
        {
            await RunAsync(router, alias, outcomes);
        }

        Assert.Null(router.ByKey["x\na"].CoolingSource); // the breaker heard the answers between the 500s
    }

    [Fact]
    public async Task An_answer_older_than_the_breakers_window_does_not_hold_off_a_cooldown()
    {
        var (router, alias, _) = Router("""{"x": {"failures_to_cool": 2, "max_attempts": 1, "cooldown_s": 0.5, "deployments": [{"name": "a", "model": "vllm/m"}]}}""");
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([null]) };
        await RunAsync(router, alias, outcomes);
        await Task.Delay(TimeSpan.FromSeconds(0.7)); // the window is the cooldown, 0.5 s

        outcomes["a"] = new([Status(500), Status(500)]);
        await RunAsync(router, alias, outcomes);
        await RunAsync(router, alias, outcomes);

        Assert.Equal("local", router.ByKey["x\na"].CoolingSource);
    }

    [Fact]
    public async Task An_answer_after_the_cooldown_closes_the_circuit()
    {
        var (router, alias, share) = Router("""
            {"x": {"failures_to_cool": 2, "cooldown_s": 0.5, "deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}
            """);
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([Status(500), Status(500)]), ["b"] = new() };
        await RunAsync(router, alias, outcomes);
        await RunAsync(router, alias, outcomes);
        Assert.True(router.ByKey["x\na"].IsCooling);

        await Task.Delay(TimeSpan.FromSeconds(0.7));
        var (reached, _, _) = await RunAsync(router, alias, outcomes);

        Assert.Equal(["a"], reached);
        Assert.False(router.ByKey["x\na"].IsCooling);
        Assert.Equal(("a", TimeSpan.Zero), share.Published[^1]);
    }

    [Fact]
    public async Task A_trial_call_the_caller_got_wrong_still_ends_the_cooldown()
    {
        // The deployment answered the trial (a 400 is the caller's): its circuit closes instead of staying half-open,
        // which would keep it out of the rotation for good.
        var (router, alias, _) = Router("""
            {"x": {"failures_to_cool": 2, "cooldown_s": 0.5, "deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}
            """);
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([Status(500), Status(500), Status(400)]), ["b"] = new() };
        await RunAsync(router, alias, outcomes);
        await RunAsync(router, alias, outcomes);
        await Task.Delay(TimeSpan.FromSeconds(0.7));

        var (trial, failure, _) = await RunAsync(router, alias, outcomes);
        var (next, _, _) = await RunAsync(router, alias, outcomes);

        Assert.Equal(["a"], trial);
        Assert.Equal("400", Assert.IsType<GatewayException>(failure).Headers![UpstreamFailure.StatusHeader]);
        Assert.False(router.ByKey["x\na"].IsCooling);
        Assert.Equal(["a"], next);
    }

    [Fact]
    public async Task A_client_that_leaves_during_the_trial_call_does_not_keep_the_deployment_cooling()
    {
        var (router, alias, _) = Router("""
            {"x": {"failures_to_cool": 2, "cooldown_s": 0.5, "deployments": [{"name": "a", "model": "vllm/m"}, {"name": "b", "model": "vllm/m", "weight": 0}]}}
            """);
        var outcomes = new Dictionary<string, Queue<Exception?>> { ["a"] = new([Status(500), Status(500), new OperationCanceledException()]), ["b"] = new() };
        await RunAsync(router, alias, outcomes);
        await RunAsync(router, alias, outcomes);
        await Task.Delay(TimeSpan.FromSeconds(0.7));

        await Assert.ThrowsAsync<OperationCanceledException>(() => RunAsync(router, alias, outcomes));
        var (next, _, _) = await RunAsync(router, alias, outcomes);

        Assert.Equal(["a"], next);
    }

    [Fact]
    public async Task Every_deployment_cooling_is_a_503_with_retry_after()
    {
        var (router, alias, _) = Router(TwoDeployments);
        foreach (var d in router.Deployments)
        {
            d.ShareCooldown(TimeSpan.FromSeconds(20));
        }

        var (reached, failure, _) = await RunAsync(router, alias, new() { ["a"] = new(), ["b"] = new() });

        Assert.Empty(reached);
        var e = Assert.IsType<GatewayException>(failure);
        Assert.Equal((503, "deployments_cooling_down"), (e.Status, e.Code));
        Assert.InRange(int.Parse(e.Headers!["Retry-After"], System.Globalization.CultureInfo.InvariantCulture), 19, 20);
    }

    [Fact]
    public async Task The_answer_never_quotes_a_deployments_url()
    {
        var (router, alias, _) = Router("""{"x": {"deployments": [{"name": "pool", "model": "vllm/m", "base_url": "http://10.0.0.5:8000/v1"}]}}""");
        var refused = new GatewayException(502, "Could not reach provider 'vllm': Connection refused (10.0.0.5:8000)", "upstream_error",
            code: "upstream_unreachable");

        var (_, failure, _) = await RunAsync(router, alias, new() { ["pool"] = new([refused, refused]) });

        var e = Assert.IsType<GatewayException>(failure);
        Assert.Equal(("Could not reach provider 'vllm': Connection refused (deployment 'pool')", "upstream_unreachable"), (e.Message, e.Code));
    }
}
