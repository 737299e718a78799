using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AbstractCore.Aliases;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// The cooldown gauges (meter <c>AbstractCore.Routing</c>): <c>abstractcore.routing.cooling</c>, 1 while a deployment
/// cools down, else 0; <c>abstractcore.routing.cooldown_left</c>, the seconds each cooling deployment has left, tagged
/// with whether the cooldown is this replica's (<c>local</c>) or another's (<c>shared</c>, through Redis).
/// </summary>
internal sealed class CooldownMetrics(IMeterFactory meters, AliasRouter router) : IHostedService
{
    public const string LeftInstrument = "abstractcore.routing.cooldown_left";

    [SuppressMessage("Reliability", "CA2000", Justification = "The IMeterFactory owns and disposes the meters it creates.")]
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = meters.Create(RoutingTelemetry.Name);
        meter.CreateObservableGauge(RoutingTelemetry.CoolingInstrument, ObserveCooling, "{deployment}", "1 while a deployment is cooling down, else 0.");
        meter.CreateObservableGauge(LeftInstrument, Observe, "s", "Seconds a cooling deployment has left, by source (local or shared).");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<int>> ObserveCooling() => router.Deployments.Select(d => new Measurement<int>(
        d.IsCooling ? 1 : 0, new("abstractcore.alias", d.Alias.Name), new("abstractcore.deployment", d.Deployment.Name)));

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var deployment in router.Deployments)
        {
            if (deployment.Cooling is var (source, left))
            {
                yield return new(Math.Round(left.TotalSeconds, 1), new("abstractcore.alias", deployment.Alias.Name),
                    new("abstractcore.deployment", deployment.Deployment.Name), new("abstractcore.cooldown_source", source));
            }
        }
    }
}
