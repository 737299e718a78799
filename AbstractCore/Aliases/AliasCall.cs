using System.Diagnostics;

namespace AbstractCore.Aliases;

/// <summary>
/// One request's way through an alias's deployments: which were tried, what the last failure allows next, and which
/// deployment answered. <see cref="AliasRouter"/> runs it; the host reads <see cref="Attempts"/> and
/// <see cref="Deployment"/> for its headers.
/// </summary>
/// <param name="started">Whether the client already received bytes (asked with <paramref name="startedState"/>): from then on
/// nothing is retried.</param>
/// <param name="callersKey">Whether attempts run with the caller's own provider key (<see cref="AttemptFailure.Of"/>).</param>
public sealed class AliasCall(ModelAlias alias, DeploymentState[] deployments, Func<object?, bool> started, object? startedState, bool callersKey)
{
    private ulong _tried; // DeploymentPicker.Bit of each deployment tried
    private Func<DeploymentState, bool>? _allowed;
    private DeploymentState? _next;
    private TimeSpan? _wait;
    private long _attemptStarted;
    private Polly.Outcome<object>? _replay;

    public ModelAlias Alias => alias;

    public bool CallersKey => callersKey;

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; private set; }

    /// <summary>The deployment of the current (in the end, the answering) attempt.</summary>
    public DeploymentState? Deployment { get; private set; }

    /// <summary>Why the last attempt was given up, for the next attempt's span; null before any retry.</summary>
    public string? RetryReason { get; private set; }

    /// <summary>The wait before the current attempt.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>
    /// A call that continues this one's broken stream on another deployment (<see cref="AliasResume.Prefill"/>): the
    /// deployments tried so far come last, and until the continuation returns nothing of it reached the client. Null once
    /// the alias's <see cref="ModelAlias.MaxAttempts"/> were made, counting every continuation's.
    /// </summary>
    public AliasCall? Continuation()
    {
        if (Attempts >= alias.MaxAttempts)
        {
            return null;
        }

        return new AliasCall(alias, deployments, static _ => false, null, callersKey) { Attempts = Attempts, _tried = _tried };
    }

    /// <summary>The next attempt's deployment: the one chosen when the last attempt failed, else a fresh pick.</summary>
    internal DeploymentState Begin()
    {
        var next = _next ?? DeploymentPicker.Pick(deployments, alias.Strategy, _tried, _allowed)
            ?? (Attempts > 0 ? DeploymentPicker.Pick(deployments, alias.Strategy, 0, _allowed) : null) // a continuation may go back
            ?? throw NoneLeft();
        (_next, Deployment, Waited) = (null, next, _wait ?? TimeSpan.Zero);
        _wait = null;
        _tried |= DeploymentPicker.Bit(next);
        next.TryCountRequest();
        Attempts++;
        _attemptStarted = Stopwatch.GetTimestamp();
        return next;
    }

    /// <summary>Whether a circuit of the alias is open (or half-open): then every attempt runs inside its breaker.</summary>
    internal bool AnyCircuitOpen
    {
        get
        {
            foreach (var deployment in deployments)
            {
                if (deployment.CircuitOpened)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The outcome of an attempt that ran outside the pipelines, for the retry pipeline to take as its first.</summary>
    internal void Replay(Polly.Outcome<object> outcome) => _replay = outcome;

    internal Polly.Outcome<object>? TakeReplay()
    {
        var replay = _replay;
        _replay = null;
        return replay;
    }

    /// <summary>The answer started: the deployment's time to first byte is recorded for the latency strategy.</summary>
    public void FirstByte()
    {
        if (Deployment is { } d && _attemptStarted != 0)
        {
            d.RecordFirstByte(Stopwatch.GetElapsedTime(_attemptStarted));
            _attemptStarted = 0;
        }
    }

    /// <summary>
    /// Whether the failure lets the request go on, having chosen where: an untried deployment at once, else (for a
    /// transient failure) one tried before after its <c>Retry-After</c> or a backoff, up to <see cref="ModelAlias.MaxRetryWait"/>.
    /// </summary>
    internal bool ShouldRetry(Exception exception)
    {
        if (started(startedState))
        {
            return false; // tokens reached the client: the stream reports the failure in-band
        }

        var failure = AttemptFailure.Of(exception, callersKey);
        var failed = Deployment;
        RetryReason = failure.Reason;
        _allowed = failure.Kind switch
        {
            RetryKind.None => null,
            RetryKind.ContextLength => d => d.Deployment.ContextWindow > (failed?.Deployment.ContextWindow ?? 0),
            RetryKind.ContentPolicy => d => d.Deployment.ContentPolicyFallback,
            _ => _allowed,
        };
        if (failure.Kind == RetryKind.None)
        {
            return false;
        }

        _next = DeploymentPicker.Pick(deployments, alias.Strategy, _tried, _allowed);
        if (_next is not null || failure.Kind != RetryKind.Transient)
        {
            return _next is not null;
        }

        // Every deployment was tried: one of them again, after what the upstream asked for.
        if (failure.RetryAfter > ModelAlias.MaxRetryWait)
        {
            return false;
        }

        _next = DeploymentPicker.Pick(deployments, alias.Strategy, 0, _allowed);
        _wait = failure.RetryAfter;
        return _next is not null;
    }

    /// <summary>The wait before the next attempt: none for another deployment, the upstream's <c>Retry-After</c> when it
    /// sent one, else null for the retry strategy's backoff.</summary>
    internal TimeSpan? NextDelay() => _wait ?? (_next is not null && (_tried & DeploymentPicker.Bit(_next)) == 0 ? TimeSpan.Zero : null);

    internal void Waiting(TimeSpan delay) => _wait = delay;

    private GatewayException NoneLeft()
    {
        var cooling = deployments.Where(d => d.IsCooling).ToList();
        if (cooling.Count == deployments.Length)
        {
            var left = Math.Max(1, (int)Math.Ceiling(deployments.Min(d => d.LocalCoolingLeft > d.SharedCoolingLeft ? d.LocalCoolingLeft : d.SharedCoolingLeft).TotalSeconds));
            return new GatewayException(503,
                $"Every deployment of '{alias.Name}' is cooling down after repeated failures; retry after {left} s.",
                "service_unavailable", "model", "deployments_cooling_down")
            {
                Headers = new Dictionary<string, string> { ["Retry-After"] = left.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            };
        }

        return new GatewayException(429,
            $"Every deployment of '{alias.Name}' that could take this request is at its rpm limit; retry in a minute.",
            "rate_limit_error", "model", "deployments_at_rpm_limit")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "60" },
        };
    }
}
