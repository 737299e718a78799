using AbstractCore.Aliases;
using AbstractCore.Upstream;
using Polly.CircuitBreaker;

namespace AbstractCore.Tests.Aliases;

/// <summary>Which failures let an alias request go on, and where: read from the error the gateway would answer.</summary>
public sealed class AttemptFailureTests
{
    private static GatewayException Upstream(int gatewayStatus, int upstreamStatus, string message = "x", string? code = null,
        params (string Name, string Value)[] headers)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [UpstreamFailure.StatusHeader] = upstreamStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in headers)
        {
            all[name] = value;
        }

        return new GatewayException(gatewayStatus, message, "t", code: code) { Headers = all };
    }

    [Theory]
    [InlineData(502, 500, "status_5xx")]
    [InlineData(502, 503, "status_5xx")]
    [InlineData(502, 529, "status_529")]
    [InlineData(502, 408, "status_408")]
    [InlineData(429, 429, "status_429")]
    public void The_deployments_failures_go_on(int status, int upstream, string reason)
    {
        var failure = AttemptFailure.Of(Upstream(status, upstream));

        Assert.Equal((RetryKind.Transient, reason, true), (failure.Kind, failure.Reason, failure.CountsAgainstDeployment));
    }

    [Theory]
    [InlineData("upstream_unreachable", "connect")]
    [InlineData("upstream_timeout", "first_byte_timeout")]
    [InlineData("upstream_disconnected", "broken_response")]
    [InlineData("deployment_key_missing", "deployment_key_missing")]
    public void Nothing_came_back_goes_on(string code, string reason) =>
        Assert.Equal((RetryKind.Transient, reason), (AttemptFailure.Of(new GatewayException(502, "x", "t", code: code)).Kind,
            AttemptFailure.Of(new GatewayException(502, "x", "t", code: code)).Reason));

    [Fact]
    public void The_callers_faults_are_final()
    {
        Assert.Equal(RetryKind.None, AttemptFailure.Of(Upstream(400, 400, "bad temperature")).Kind);
        Assert.Equal(RetryKind.None, AttemptFailure.Of(Upstream(404, 404, "no such model")).Kind);
        Assert.Equal(RetryKind.None, AttemptFailure.Of(Upstream(401, 401), callersKey: true).Kind);
        Assert.Equal(RetryKind.None, AttemptFailure.Of(GatewayException.BadRequest("'messages' is required.", "messages")).Kind);
        Assert.Equal(RetryKind.None, AttemptFailure.Of(new InvalidOperationException()).Kind);
    }

    [Fact]
    public void A_key_the_server_holds_refused_is_the_deployments_fault() =>
        Assert.Equal(RetryKind.Transient, AttemptFailure.Of(Upstream(401, 401), callersKey: false).Kind);

    [Theory]
    [InlineData(null, "This model's maximum context length is 8192 tokens.")]
    [InlineData("context_length_exceeded", "too long")]
    [InlineData(null, "prompt is too long: 250000 tokens > 200000 maximum")]
    public void A_context_length_refusal_looks_for_a_larger_window(string? code, string message) =>
        Assert.Equal(RetryKind.ContextLength, AttemptFailure.Of(Upstream(400, 400, message, code)).Kind);

    [Fact]
    public void A_content_policy_refusal_looks_for_a_marked_deployment()
    {
        Assert.Equal(RetryKind.ContentPolicy, AttemptFailure.Of(Upstream(400, 400, "x", "content_policy_violation")).Kind);
        Assert.Equal(RetryKind.ContentPolicy, AttemptFailure.Of(Upstream(400, 400, "filtered by Azure's content management policy")).Kind);
    }

    [Fact]
    public void Retry_after_is_read_in_seconds_milliseconds_or_as_a_date()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), AttemptFailure.Of(Upstream(429, 429, headers: ("Retry-After", "2"))).RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), AttemptFailure.Of(Upstream(429, 429, headers: [("Retry-After", "2"), ("retry-after-ms", "1500")])).RetryAfter);
        var date = DateTimeOffset.UtcNow.AddSeconds(30).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(AttemptFailure.Of(Upstream(429, 429, headers: ("Retry-After", date))).RetryAfter!.Value.TotalSeconds, 25, 31);
        Assert.Null(AttemptFailure.Of(Upstream(429, 429)).RetryAfter);
    }

    [Fact]
    public void An_open_circuit_goes_elsewhere_without_counting() =>
        Assert.Equal((RetryKind.Transient, "cooldown", false),
            (AttemptFailure.Of(new BrokenCircuitException()).Kind, AttemptFailure.Of(new BrokenCircuitException()).Reason,
             AttemptFailure.Of(new BrokenCircuitException()).CountsAgainstDeployment));
}
