using System.Runtime.ExceptionServices;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace AbstractCore.Aliases;

/// <summary>
/// Runs a request for an alias over its deployments with Polly: a retry strategy (one pipeline per alias) whose attempts
/// each pick a deployment (<see cref="AliasCall"/>), and each deployment's circuit breaker around the attempt
/// (<see cref="DeploymentState"/>). Nothing is retried once the client got a byte; circuits that open or close are told
/// to the other replicas through <see cref="ICooldownShare"/>.
/// </summary>
public sealed class AliasRouter
{
    /// <summary>The request's <see cref="AliasCall"/> in Polly's context, for the strategies' callbacks.</summary>
    internal static readonly ResiliencePropertyKey<AliasCall> CallKey = new("abstractcore.alias_call");
    private readonly Dictionary<ModelAlias, (DeploymentState[] Deployments, ResiliencePipeline Retry)> _aliases = new(ReferenceEqualityComparer.Instance);

    public AliasRouter(ModelAliases aliases, ICooldownShare share)
    {
        Aliases = aliases;
        foreach (var alias in aliases.All)
        {
            var deployments = alias.Deployments
                .Select(d => new DeploymentState(alias, d, (state, opened) => share.Publish(state, opened ? alias.Cooldown : TimeSpan.Zero)))
                .ToArray();
            _aliases[alias] = (deployments, RetryPipeline(alias));
        }

        ByKey = _aliases.Values.SelectMany(a => a.Deployments).ToDictionary(d => d.Key, StringComparer.Ordinal);
    }

    public ModelAliases Aliases { get; }

    /// <summary>Every alias's deployments.</summary>
    public IEnumerable<DeploymentState> Deployments => ByKey.Values;

    /// <summary>Deployments by <see cref="DeploymentState.Key"/>, for a shared cooldown that names one.</summary>
    public IReadOnlyDictionary<string, DeploymentState> ByKey { get; }

    /// <summary>A request's call; <paramref name="started"/> reads <paramref name="state"/>, so that it need not capture it.</summary>
    public AliasCall Call(ModelAlias alias, Func<object?, bool> started, object? state, bool callersKey) =>
        new(alias, _aliases[alias].Deployments, started, state, callersKey);

    /// <summary>
    /// Runs <paramref name="attempt"/> for one deployment after another until one answers, the failure is final or the
    /// alias's attempts are spent; the last failure is the request's. Outcomes travel as Polly's <see cref="Outcome{T}"/>
    /// (<c>ExecuteOutcomeAsync</c>): a failed attempt is not thrown through the pipelines. This is on every alias request's
    /// path, so it adds as few asynchronous frames as the two pipelines allow: the retry's callback picks the deployment
    /// synchronously and hands the breaker's task straight back; the attempt's bookkeeping runs inside the breaker.
    /// </summary>
    public async ValueTask RunAsync(AliasCall call, AliasAttempt attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        Outcome<object> outcome;
        try
        {
            outcome = await _aliases[call.Alias].Retry.ExecuteOutcomeAsync(
                static (ctx, s) => Attempt(ctx, s.call, s.attempt), context, (call, attempt)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (outcome.Exception is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure is GatewayException e ? call.Alias.Conceal(e) : failure);
        }
    }

    /// <inheritdoc cref="RunAsync(AliasCall, AliasAttempt, CancellationToken)"/>
    public ValueTask RunAsync(AliasCall call, Func<DeploymentState, CancellationToken, Task> attempt, CancellationToken cancellationToken) =>
        RunAsync(call, AliasAttempt.Of(attempt), cancellationToken);

    /// <summary>One attempt: the next deployment, then the call inside its circuit breaker.</summary>
    private static ValueTask<Outcome<object>> Attempt(ResilienceContext context, AliasCall call, AliasAttempt attempt)
    {
        DeploymentState deployment;
        try
        {
            deployment = call.Begin();
        }
        catch (GatewayException e)
        {
            return new(Outcome.FromException<object>(e)); // none may take it: answered as it is
        }

        var outcome = deployment.Breaker.ExecuteOutcomeAsync(
            static (ctx, s) => CallAsync(ctx, s.call, s.deployment, s.attempt), context, (call, deployment, attempt));
        if (outcome.IsCompletedSuccessfully && outcome.Result.Exception is BrokenCircuitException refused)
        {
            // The circuit opened after the pick: the attempt never ran, but it counts and has its span.
            RoutingTelemetry.Finish(RoutingTelemetry.StartAttempt(call, deployment), call, deployment, refused);
        }

        return outcome;
    }

    /// <summary>The attempt inside the breaker: a call slot on the deployment, the call, its span and counters.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031",
        Justification = "Every failure becomes the attempt's outcome: the retry strategy judges it, and the router rethrows the last one.")]
    private static async ValueTask<Outcome<object>> CallAsync(
        ResilienceContext context, AliasCall call, DeploymentState deployment, AliasAttempt attempt)
    {
        var activity = RoutingTelemetry.StartAttempt(call, deployment);
        Exception? failure = null;
        var entered = false;
        try
        {
            if (!deployment.TryEnter())
            {
                await deployment.EnterAsync(context.CancellationToken).ConfigureAwait(false);
            }

            entered = true;
            await attempt.RunAsync(deployment, call, context.CancellationToken).ConfigureAwait(false);
            return Answered;
        }
        catch (Exception e)
        {
            failure = e;
            return Outcome.FromException<object>(e);
        }
        finally
        {
            if (entered)
            {
                deployment.Exit();
            }

            RoutingTelemetry.Finish(activity, call, deployment, failure);
        }
    }

    private static readonly Outcome<object> Answered = Outcome.FromResult(new object());

    private static ResiliencePipeline RetryPipeline(ModelAlias alias) => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
    {
        MaxRetryAttempts = Math.Max(0, alias.MaxAttempts - 1),
        BackoffType = DelayBackoffType.Exponential,
        Delay = TimeSpan.FromMilliseconds(250),
        MaxDelay = ModelAlias.MaxRetryWait,
        UseJitter = true,
        ShouldHandle = static args => ValueTask.FromResult(
            args.Outcome.Exception is { } e and not OperationCanceledException && args.Context.Properties.GetValue(CallKey, null!).ShouldRetry(e)),
        DelayGenerator = static args => ValueTask.FromResult(args.Context.Properties.GetValue(CallKey, null!).NextDelay()),
        OnRetry = static args =>
        {
            var call = args.Context.Properties.GetValue(CallKey, null!);
            call.Waiting(args.RetryDelay);
            RoutingTelemetry.Fallback(call, call.RetryReason ?? "unknown");
            return ValueTask.CompletedTask;
        },
    }).Build();
}
