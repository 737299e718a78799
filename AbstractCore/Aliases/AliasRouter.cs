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
    /// alias's attempts are spent; the last failure is the request's.
    /// </summary>
    public async Task RunAsync(AliasCall call, Func<DeploymentState, CancellationToken, Task> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        context.Properties.Set(DeploymentState.CallersKey, call.CallersKey);
        try
        {
            await _aliases[call.Alias].Retry.ExecuteAsync(
                static async (ctx, state) =>
                {
                    var (call, attempt) = state;
                    var deployment = call.Begin();
                    using var activity = RoutingTelemetry.StartAttempt(call, deployment);
                    if (!deployment.TryEnter())
                    {
                        await deployment.EnterAsync(ctx.CancellationToken).ConfigureAwait(false);
                    }

                    try
                    {
                        await deployment.Breaker.ExecuteAsync(
                            static (c, s) => new ValueTask(s.attempt(s.deployment, c.CancellationToken)), ctx, (attempt, deployment)).ConfigureAwait(false);
                        RoutingTelemetry.Finish(activity, call, deployment, null);
                    }
                    catch (Exception e)
                    {
                        RoutingTelemetry.Finish(activity, call, deployment, e);
                        throw;
                    }
                    finally
                    {
                        deployment.Exit();
                    }
                },
                context, (call, attempt)).ConfigureAwait(false);
        }
        catch (GatewayException e) when (call.Alias.Conceal(e) is var concealed && !ReferenceEquals(concealed, e))
        {
            throw concealed;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

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
