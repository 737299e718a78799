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
    /// (<c>ExecuteOutcomeAsync</c>): a failed attempt is not thrown through the pipelines.
    /// <para>
    /// This is on every alias request's path, and most first attempts answer. While no circuit of the alias is open, the
    /// breaker has nothing to decide before a call, so the first attempt runs outside the pipelines. A failure is then
    /// given to the deployment's breaker to count, as if the call had run inside it, and enters the retry pipeline as its
    /// first attempt's outcome: Polly judges it, waits and runs the next attempts (each inside its breaker) as usual. An
    /// answer is only noted (<see cref="DeploymentState.AnswerUntold"/>) and told to the breaker before its next failure.
    /// A request whose first attempt answers thus runs no pipeline at all.
    /// </para>
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031",
        Justification = "Every failure becomes the attempt's outcome: the retry strategy judges it, and the router rethrows the last one.")]
    public async ValueTask RunAsync(AliasCall call, AliasAttempt attempt, CancellationToken cancellationToken)
    {
        Outcome<object> outcome;
        if (call.AnyCircuitOpen)
        {
            outcome = await RetryAsync(call, attempt, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (Begin(call, out outcome) is { } deployment)
            {
                // AttemptAsync's body, inline: one asynchronous frame less on every alias request.
                var activity = RoutingTelemetry.StartAttempt(call, deployment);
                Exception? failed = null;
                var entered = false;
                try
                {
                    if (!deployment.TryEnter())
                    {
                        await deployment.EnterAsync(cancellationToken).ConfigureAwait(false);
                    }

                    entered = true;
                    await attempt.RunAsync(deployment, call, cancellationToken).ConfigureAwait(false);
                    outcome = Answered;
                }
                catch (Exception e)
                {
                    failed = e;
                    outcome = Outcome.FromException<object>(e);
                }
                finally
                {
                    Leave(call, deployment, activity, entered, failed);
                }

                if (failed is null)
                {
                    deployment.AnswerUntold(); // told to the breaker before its next failure
                }
                else
                {
                    await RecordFailureAsync(deployment, call, outcome).ConfigureAwait(false);
                }
            }

            if (outcome.Exception is not null)
            {
                call.Replay(outcome);
                outcome = await RetryAsync(call, attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        if (outcome.Exception is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure is GatewayException e ? call.Alias.Conceal(e) : failure);
        }
    }

    /// <inheritdoc cref="RunAsync(AliasCall, AliasAttempt, CancellationToken)"/>
    public ValueTask RunAsync(AliasCall call, Func<DeploymentState, CancellationToken, Task> attempt, CancellationToken cancellationToken) =>
        RunAsync(call, AliasAttempt.Of(attempt), cancellationToken);

    /// <summary>The first attempt's deployment; null when none may take it now, <paramref name="refusal"/> saying why.</summary>
    private static DeploymentState? Begin(AliasCall call, out Outcome<object> refusal)
    {
        refusal = default;
        try
        {
            return call.Begin();
        }
        catch (GatewayException e)
        {
            refusal = Outcome.FromException<object>(e); // the retry pipeline judges it, as any attempt's failure
            return null;
        }
    }

    /// <summary>The attempts in Polly's retry pipeline (the first may be one that already ran: <see cref="AliasCall.Replay"/>).</summary>
    private async ValueTask<Outcome<object>> RetryAsync(AliasCall call, AliasAttempt attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            return await _aliases[call.Alias].Retry.ExecuteOutcomeAsync(
                static (ctx, s) => Attempt(ctx, s.call, s.attempt), context, (call, attempt)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One attempt: the next deployment, then the call inside its circuit breaker.</summary>
    private static ValueTask<Outcome<object>> Attempt(ResilienceContext context, AliasCall call, AliasAttempt attempt)
    {
        if (call.TakeReplay() is { } ran)
        {
            return new(ran);
        }

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
            static (ctx, s) => AttemptAsync(s.call, s.deployment, s.attempt, ctx.CancellationToken), context, (call, deployment, attempt));
        if (outcome.IsCompletedSuccessfully && outcome.Result.Exception is BrokenCircuitException refused)
        {
            // The circuit opened after the pick: the attempt never ran, but it counts and has its span.
            RoutingTelemetry.Finish(RoutingTelemetry.StartAttempt(call, deployment), call, deployment, refused);
        }

        return outcome;
    }

    /// <summary>
    /// A failed attempt that ran outside the breaker (the circuit was closed), told to it afterwards, after the answer
    /// before it that it was not told of yet (<see cref="DeploymentState.AnswerUntold"/>): the breaker then judges the
    /// failure as it judges a call it ran.
    /// </summary>
    private static async ValueTask RecordFailureAsync(DeploymentState deployment, AliasCall call, Outcome<object> failure)
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(CallKey, call); // for the breaker's judgement of the failure
        try
        {
            if (deployment.TakeUntoldAnswer())
            {
                await Tell(deployment, context, Answered).ConfigureAwait(false);
            }

            await Tell(deployment, context, failure).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>An outcome that is already known, given to the deployment's breaker to count.</summary>
    private static ValueTask<Outcome<object>> Tell(DeploymentState deployment, ResilienceContext context, Outcome<object> outcome) =>
        deployment.Breaker.ExecuteOutcomeAsync(static (_, known) => new ValueTask<Outcome<object>>(known), context, outcome);

    /// <summary>Before the breaker counts a failure of an attempt it ran, the answer it was not told of, if any (and only
    /// while the circuit is closed: an answer never ends a cooldown it did not try).</summary>
    private static async ValueTask TellUntoldAnswerAsync(DeploymentState deployment)
    {
        if (deployment.CircuitOpened || !deployment.TakeUntoldAnswer())
        {
            return;
        }

        var context = ResilienceContextPool.Shared.Get();
        try
        {
            await Tell(deployment, context, Answered).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The attempt on its deployment: a call slot on it, the call, its span and counters.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031",
        Justification = "Every failure becomes the attempt's outcome: the retry strategy judges it, and the router rethrows the last one.")]
    private static async ValueTask<Outcome<object>> AttemptAsync(
        AliasCall call, DeploymentState deployment, AliasAttempt attempt, CancellationToken cancellationToken)
    {
        var activity = RoutingTelemetry.StartAttempt(call, deployment);
        Exception? failure = null;
        var entered = false;
        try
        {
            if (!deployment.TryEnter())
            {
                await deployment.EnterAsync(cancellationToken).ConfigureAwait(false);
            }

            entered = true;
            await attempt.RunAsync(deployment, call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            Leave(call, deployment, activity, entered, failure);
        }

        if (failure is null)
        {
            return Answered;
        }

        await TellUntoldAnswerAsync(deployment).ConfigureAwait(false);
        return Outcome.FromException<object>(failure);
    }

    /// <summary>The end of an attempt: its call slot back, its span and counters.</summary>
    private static void Leave(AliasCall call, DeploymentState deployment, System.Diagnostics.Activity? activity, bool entered, Exception? failure)
    {
        if (entered)
        {
            deployment.Exit();
        }

        RoutingTelemetry.Finish(activity, call, deployment, failure);
    }

    private static readonly Outcome<object> Answered = Outcome.FromResult(new object());

    /// <summary>The alias's retry strategy; none for <c>max_attempts: 1</c> (Polly's retry takes at least one retry).</summary>
    private static ResiliencePipeline RetryPipeline(ModelAlias alias)
    {
        if (alias.MaxAttempts <= 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = alias.MaxAttempts - 1,
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
}
