using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AbstractCore.Aliases;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// <c>abstractcore.routing.cooldown_left</c> (meter <c>AbstractCore.Routing</c>): the seconds each cooling deployment
/// has left, tagged with whether the cooldown is this replica's (<c>local</c>) or another's (<c>shared</c>, through
/// Redis). The router's own <c>abstractcore.routing.cooling</c> says only whether it cools.
/// </summary>
internal sealed class CooldownMetrics(IMeterFactory meters, AliasRouter router, CooldownLedger ledger) : IHostedService
{
    public const string LeftInstrument = "abstractcore.routing.cooldown_left";

    [SuppressMessage("Reliability", "CA2000", Justification = "The IMeterFactory owns and disposes the meters it creates.")]
    public Task StartAsync(CancellationToken cancellationToken)
    {
        meters.Create(RoutingTelemetry.Name).CreateObservableGauge(LeftInstrument, Observe, "s", "Seconds a cooling deployment has left, by source (local or shared).");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var deployment in router.Deployments)
        {
            if (ledger.Cooling(deployment) is var (source, left))
            {
                yield return new(Math.Round(left.TotalSeconds, 1), new("abstractcore.alias", deployment.Alias.Name),
                    new("abstractcore.deployment", deployment.Deployment.Name), new("abstractcore.cooldown_source", source));
            }
        }
    }
}
