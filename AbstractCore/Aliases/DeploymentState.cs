using System.Diagnostics;
using Polly;
using Polly.CircuitBreaker;

namespace AbstractCore.Aliases;

/// <summary>
/// What one replica knows of a deployment: calls in flight (against its <c>max_concurrency</c>), requests this minute
/// (against its <c>rpm</c>), an EWMA of its time to first byte, and whether it is cooling down: its own circuit breaker
/// (Polly's, opened by <see cref="ModelAlias.FailuresToCool"/> failures and no answer within its sampling window) or a
/// cooldown another replica shared.
/// </summary>
public sealed class DeploymentState
{
    private const double LatencyWeight = 0.2; // the EWMA's weight of the newest sample
    private readonly SemaphoreSlim? _slots;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly Lock _rpmLock = new();
    private long _windowStart;
    private int _windowCount;
    private int _inFlight;
    private long _sharedCoolingUntil; // Stopwatch ticks; 0 when no other replica reported a cooldown
    private long _localCoolingUntil; // Stopwatch ticks: when this replica's open circuit lets a trial call through
    private bool _opened; // from OnOpened to OnClosed: only then is the circuit's state (read under Polly's lock) worth reading
    private long _untoldAnswer; // Stopwatch ticks of the latest answer the breaker has not been told of; 0 when none
    private readonly long _windowTicks; // the breaker's sampling window
    private double _latencyMs = -1;

    public DeploymentState(ModelAlias alias, AliasDeployment deployment, Action<DeploymentState, bool> circuitChanged)
    {
        Alias = alias;
        Deployment = deployment;
        Key = alias.Name + "\n" + deployment.Name;
        Index = IndexOf(alias, deployment);
        _slots = deployment.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;
        var window = TimeSpan.FromSeconds(Math.Max(0.5, Math.Min(60, alias.Cooldown.TotalSeconds)));
        _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        Breaker = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            // Every outcome in the window (the cooldown, at most 60 s) a failure, and at least failures_to_cool of them.
            FailureRatio = 1.0,
            MinimumThroughput = Math.Max(2, alias.FailuresToCool),
            SamplingDuration = window,
            BreakDuration = alias.Cooldown,
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e &&
                AttemptFailure.Of(e, args.Context.Properties.GetValue(AliasRouter.CallKey, null!).CallersKey).CountsAgainstDeployment),
            StateProvider = _circuit,
            OnOpened = args =>
            {
                Volatile.Write(ref _localCoolingUntil, Stopwatch.GetTimestamp() + (long)(args.BreakDuration.TotalSeconds * Stopwatch.Frequency));
                Volatile.Write(ref _opened, true);
                Volatile.Write(ref _untoldAnswer, 0); // answers that arrive while it is open change nothing
                circuitChanged(this, true);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                Volatile.Write(ref _opened, false);
                circuitChanged(this, false);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    public ModelAlias Alias { get; }

    public AliasDeployment Deployment { get; }

    /// <summary>The alias and deployment names, unique across the server: the shared cooldown's key.</summary>
    public string Key { get; }

    /// <summary>The deployment's place in the alias's list: its bit in a request's tried set (<see cref="DeploymentPicker"/>).</summary>
    public int Index { get; }

    private static int IndexOf(ModelAlias alias, AliasDeployment deployment)
    {
        for (var i = 0; i < alias.Deployments.Count; i++)
        {
            if (ReferenceEquals(alias.Deployments[i], deployment))
            {
                return i;
            }
        }

        throw new ArgumentException($"Deployment '{deployment.Name}' is not one of alias '{alias.Name}''s.", nameof(deployment));
    }

    /// <summary>This deployment's circuit breaker. An attempt runs inside it unless every circuit of the alias was closed
    /// when the request began (<see cref="AliasRouter.RunAsync(AliasCall, AliasAttempt, CancellationToken)"/>); such an
    /// attempt's failure is given to it afterwards, its answer only before the next failure (<see cref="AnswerUntold"/>).</summary>
    public ResiliencePipeline Breaker { get; }

    /// <summary>
    /// An answer to an attempt that ran outside the breaker (<see cref="AliasRouter"/>), which it is told of only before
    /// its next failure (<see cref="TakeUntoldAnswer"/>): a breaker that opens when every outcome in its window failed
    /// needs to know whether one answer is in it, not each, and answers are most of the traffic.
    /// </summary>
    internal void AnswerUntold() => Volatile.Write(ref _untoldAnswer, Stopwatch.GetTimestamp());

    /// <summary>Whether an answer the breaker was not told of is still within its window; then it is told now (one answer,
    /// dated now: the window keeps it a little longer than it would have, never shorter).</summary>
    internal bool TakeUntoldAnswer()
    {
        var at = Interlocked.Exchange(ref _untoldAnswer, 0);
        return at != 0 && Stopwatch.GetTimestamp() - at < _windowTicks;
    }

    /// <summary>From the circuit's opening to its closing (half-open included).</summary>
    internal bool CircuitOpened => Volatile.Read(ref _opened);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Recent time to first byte in milliseconds; 0 before any was measured, so a new deployment gets tried.</summary>
    public double LatencyMs => Math.Max(0, Volatile.Read(ref _latencyMs));

    /// <summary>Cooling down here (the circuit is open) or on another replica (<see cref="ShareCooldown"/>).</summary>
    public bool IsCooling => CoolingSource is not null;

    /// <summary>Why not to send here now: <c>local</c> (the circuit is open, or its trial call is in flight) or
    /// <c>shared</c>; null when it may be tried. Polly moves an open circuit to half-open only when a call comes, so an
    /// open one whose break is over counts as ready: the next call is its trial.</summary>
    public string? CoolingSource => Volatile.Read(ref _opened) && CircuitHolds ? "local" : SharedCoolingLeft > TimeSpan.Zero ? "shared" : null;

    private bool CircuitHolds => _circuit.CircuitState switch
    {
        CircuitState.Isolated or CircuitState.HalfOpen => true,
        CircuitState.Open => Stopwatch.GetTimestamp() < Volatile.Read(ref _localCoolingUntil),
        _ => false,
    };

    /// <summary>Whether the deployment cools down, where (<see cref="CoolingSource"/>) and for how long still; null when not.</summary>
    public (string Source, TimeSpan Left)? Cooling => CoolingSource switch
    {
        "local" => ("local", LocalCoolingLeft),
        "shared" => ("shared", SharedCoolingLeft),
        _ => null,
    };

    /// <summary>How long this replica's open circuit still holds.</summary>
    public TimeSpan LocalCoolingLeft => _circuit.CircuitState == CircuitState.Open
        ? Max(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Volatile.Read(ref _localCoolingUntil)))
        : TimeSpan.Zero;

    /// <summary>How long another replica's cooldown still holds.</summary>
    public TimeSpan SharedCoolingLeft
    {
        get
        {
            var until = Volatile.Read(ref _sharedCoolingUntil);
            return until == 0 ? TimeSpan.Zero : Max(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until));
        }
    }

    /// <summary>A cooldown another replica reported (<paramref name="left"/> from now), or its end (zero).</summary>
    public void ShareCooldown(TimeSpan left) =>
        Volatile.Write(ref _sharedCoolingUntil, left > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(left.TotalSeconds * Stopwatch.Frequency) : 0);

    /// <summary>Whether a call fits under <c>max_concurrency</c> now.</summary>
    public bool HasSlot => _slots is null || _slots.CurrentCount > 0;

    /// <summary>Takes a call slot without waiting (false at the limit), counting the call in flight.</summary>
    public bool TryEnter()
    {
        if (_slots is not null && !_slots.Wait(0))
        {
            return false;
        }

        Interlocked.Increment(ref _inFlight);
        return true;
    }

    /// <summary>Waits for a call slot (every deployment was at its limit: the request queues here).</summary>
    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots is not null)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _inFlight);
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _inFlight);
        _slots?.Release();
    }

    /// <summary>Counts a request against <c>rpm</c> (a fixed one-minute window); false, counting nothing, when the window is full.</summary>
    public bool TryCountRequest()
    {
        if (Deployment.Rpm is not { } rpm)
        {
            return true;
        }

        var now = Stopwatch.GetTimestamp();
        lock (_rpmLock)
        {
            if (now - _windowStart >= Stopwatch.Frequency * 60)
            {
                (_windowStart, _windowCount) = (now, 0);
            }

            if (_windowCount >= rpm)
            {
                return false;
            }

            _windowCount++;
            return true;
        }
    }

    /// <summary>Whether <c>rpm</c> leaves room this minute (without counting).</summary>
    public bool UnderRpm
    {
        get
        {
            if (Deployment.Rpm is not { } rpm)
            {
                return true;
            }

            lock (_rpmLock)
            {
                return Stopwatch.GetTimestamp() - _windowStart >= Stopwatch.Frequency * 60 || _windowCount < rpm;
            }
        }
    }

    private static TimeSpan Max(TimeSpan left) => left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public void RecordFirstByte(TimeSpan elapsed)
    {
        var sample = elapsed.TotalMilliseconds;
        var old = Volatile.Read(ref _latencyMs);
        Volatile.Write(ref _latencyMs, old < 0 ? sample : old + (LatencyWeight * (sample - old)));
    }
}
