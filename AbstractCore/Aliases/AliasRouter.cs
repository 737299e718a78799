using System.Runtime.ExceptionServices;
using Polly;
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
    private static readonly ResiliencePropertyKey<AliasCall> CallKey = new("abstractcore.alias_call");
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

    public AliasCall Call(ModelAlias alias, Func<bool> started, bool callersKey) => new(alias, _aliases[alias].Deployments, started, callersKey);

    /// <summary>
    /// Runs <paramref name="attempt"/> for one deployment after another until one answers, the failure is final or the
    /// alias's attempts are spent; the last failure is the request's. Outcomes travel as Polly's <see cref="Outcome{T}"/>
    /// (<c>ExecuteOutcomeAsync</c>): a failed attempt is not thrown through the pipelines, and each pipeline adds one
    /// asynchronous frame, not three, to a call that is on every alias request's path.
    /// </summary>
    public async Task RunAsync(AliasCall call, Func<DeploymentState, CancellationToken, Task> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        context.Properties.Set(DeploymentState.CallersKey, call.CallersKey);
        Outcome<object> outcome;
        try
        {
            outcome = await _aliases[call.Alias].Retry.ExecuteOutcomeAsync(
                static (ctx, state) => AttemptAsync(ctx, state.call, state.attempt), context, (call, attempt)).ConfigureAwait(false);
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

    /// <summary>One attempt: the next deployment, a call slot on it, and the call inside its circuit breaker.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031",
        Justification = "Every failure becomes the attempt's outcome: the retry strategy judges it, and the router rethrows the last one.")]
    private static async ValueTask<Outcome<object>> AttemptAsync(
        ResilienceContext context, AliasCall call, Func<DeploymentState, CancellationToken, Task> attempt)
    {
        DeploymentState deployment;
        try
        {
            deployment = call.Begin();
        }
        catch (GatewayException e)
        {
            return Outcome.FromException<object>(e); // none may take it: answered as it is
        }

        using var activity = RoutingTelemetry.StartAttempt(call, deployment);
        if (!deployment.TryEnter())
        {
            await deployment.EnterAsync(context.CancellationToken).ConfigureAwait(false);
        }

        try
        {
            var outcome = await deployment.Breaker.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        await state.attempt(state.deployment, ctx.CancellationToken).ConfigureAwait(false);
                        return Answered;
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<object>(e);
                    }
                },
                context, (attempt, deployment)).ConfigureAwait(false);
            RoutingTelemetry.Finish(activity, call, deployment, outcome.Exception);
            return outcome;
        }
        finally
        {
            deployment.Exit();
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
