using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AbstractCore.Aliases;

/// <summary>
/// The routing layer's spans and metrics (source and meter <c>AbstractCore.Routing</c>): one <c>route {alias}</c> span per
/// attempt, under the request's, naming the deployment, the outcome, why the attempt before it was given up and how long
/// it waited; counters of attempts and fallbacks. The host adds the cooldown gauges (<see cref="CoolingInstrument"/>).
/// </summary>
public static class RoutingTelemetry
{
    public const string Name = "AbstractCore.Routing";
    public const string AttemptsInstrument = "abstractcore.routing.attempts";
    public const string FallbacksInstrument = "abstractcore.routing.fallbacks";
    public const string CoolingInstrument = "abstractcore.routing.cooling";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> AttemptCount =
        Meter.CreateCounter<long>(AttemptsInstrument, "{attempt}", "Attempts on alias deployments, by outcome.");

    private static readonly Counter<long> FallbackCount =
        Meter.CreateCounter<long>(FallbacksInstrument, "{fallback}", "Requests that went on to another deployment, by reason.");

    internal static Activity? StartAttempt(AliasCall call, DeploymentState deployment)
    {
        if (!Source.HasListeners())
        {
            return null; // not even the span's name is built
        }

        var activity = Source.StartActivity("route " + call.Alias.Name, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("abstractcore.alias", call.Alias.Name);
            activity.SetTag("abstractcore.deployment", deployment.Deployment.Name);
            activity.SetTag("abstractcore.attempt", call.Attempts);
            if (call.RetryReason is { } reason)
            {
                activity.SetTag("abstractcore.retry_reason", reason);
                activity.SetTag("abstractcore.retry_wait_ms", call.Waited.TotalMilliseconds);
            }
        }

        return activity;
    }

    internal static void Finish(Activity? activity, AliasCall call, DeploymentState deployment, Exception? failure)
    {
        var outcome = failure is null ? "success" : AttemptFailure.Of(failure, call.CallersKey).Reason;
        activity?.SetTag("abstractcore.outcome", outcome);
        if (failure is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        activity?.Dispose();
        if (AttemptCount.Enabled)
        {
            AttemptCount.Add(1, new("abstractcore.alias", call.Alias.Name), new("abstractcore.deployment", deployment.Deployment.Name),
                new("abstractcore.outcome", outcome));
        }
    }

    internal static void Fallback(AliasCall call, string reason)
    {
        if (FallbackCount.Enabled)
        {
            FallbackCount.Add(1, new("abstractcore.alias", call.Alias.Name), new("abstractcore.retry_reason", reason));
        }
    }
}
