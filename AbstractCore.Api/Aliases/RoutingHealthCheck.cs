using System.Globalization;
using AbstractCore.Aliases;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// <c>routing</c> in <c>/health</c>'s details: the deployments cooling down, as <c>alias/deployment (local|shared, Ns
/// left)</c> (names only: never a URL or key). Degraded while every deployment of some alias cools down (its requests
/// answer 503 until one comes back); one cooling deployment is the router doing its job, so still healthy.
/// </summary>
internal sealed class RoutingHealthCheck(AliasRouter router) : IHealthCheck
{
    public const string Name = "routing";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var cooling = new List<string>();
        var down = new List<string>();
        foreach (var alias in router.Deployments.GroupBy(d => d.Alias.Name, StringComparer.Ordinal))
        {
            var before = cooling.Count;
            foreach (var deployment in alias)
            {
                if (deployment.Cooling is var (source, left))
                {
                    cooling.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{alias.Key}/{deployment.Deployment.Name} ({source}, {Math.Ceiling(left.TotalSeconds):0}s left)"));
                }
            }

            if (cooling.Count - before == alias.Count())
            {
                down.Add(alias.Key);
            }
        }

        var list = cooling.Count == 0 ? "no deployment is cooling down" : "cooling down: " + string.Join(", ", cooling);
        return Task.FromResult(down.Count > 0
            ? HealthCheckResult.Degraded($"Every deployment of {string.Join(", ", down)} is cooling down; {list}.")
            : HealthCheckResult.Healthy($"{router.Aliases.All.Count} alias(es), {router.ByKey.Count} deployment(s); {list}."));
    }
}
