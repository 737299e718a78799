using System.Diagnostics.CodeAnalysis;

namespace AbstractCore.Aliases;

/// <summary>Picks the deployment for an alias's next attempt.</summary>
[SuppressMessage("Security", "CA5394", Justification = "Load balancing, not security: any spread will do.")]
public static class DeploymentPicker
{
    /// <summary>
    /// Among the deployments that may take the attempt: not cooling down, under their <c>rpm</c>, allowed by the failure so
    /// far (<paramref name="allowed"/>) and not in <paramref name="tried"/> (their <see cref="Bit"/>s). Those with a free <c>max_concurrency</c> slot
    /// come first; weight 0 marks a last resort, taken only when no weighted one is left. Then the alias's strategy
    /// chooses. Null when none may.
    /// </summary>
    public static DeploymentState? Pick(
        ReadOnlySpan<DeploymentState> deployments, AliasStrategy strategy, ulong tried,
        Func<DeploymentState, bool>? allowed)
    {
        DeploymentState? best = null;
        var bestRank = int.MaxValue;
        double totalWeight = 0;
        Span<int> ranks = deployments.Length <= 16 ? stackalloc int[deployments.Length] : new int[deployments.Length];
        for (var i = 0; i < deployments.Length; i++)
        {
            var d = deployments[i];
            ranks[i] = int.MaxValue;
            if ((tried & Bit(d)) != 0 || d.IsCooling || !d.UnderRpm || (allowed is not null && !allowed(d)))
            {
                continue;
            }

            // 0: a free slot and a weight; 1: weight 0 (a last resort); 2: at its concurrency limit (the request would queue).
            var rank = d.HasSlot ? (d.Deployment.Weight > 0 ? 0 : 1) : 2;
            ranks[i] = rank;
            if (rank < bestRank)
            {
                (bestRank, best, totalWeight) = (rank, d, 0);
            }

            if (rank == bestRank)
            {
                totalWeight += Math.Max(d.Deployment.Weight, 1);
            }
        }

        if (best is null)
        {
            return null;
        }

        return strategy switch
        {
            AliasStrategy.LeastBusy => Min(deployments, ranks, bestRank, d => d.InFlight),
            AliasStrategy.Latency => Min(deployments, ranks, bestRank, d => d.LatencyMs),
            _ => Weighted(deployments, ranks, bestRank, totalWeight),
        };
    }

    /// <summary>The deployment's bit in a tried set.</summary>
    public static ulong Bit(DeploymentState deployment) => 1UL << deployment.Index;

    private static DeploymentState Weighted(ReadOnlySpan<DeploymentState> deployments, Span<int> ranks, int rank, double totalWeight)
    {
        var ticket = Random.Shared.NextDouble() * totalWeight;
        DeploymentState? last = null;
        for (var i = 0; i < deployments.Length; i++)
        {
            if (ranks[i] != rank)
            {
                continue;
            }

            last = deployments[i];
            ticket -= Math.Max(last.Deployment.Weight, 1);
            if (ticket < 0)
            {
                return last;
            }
        }

        return last!;
    }

    /// <summary>The lowest score; ties go to a random one of them, so equal deployments share the load.</summary>
    private static DeploymentState Min(ReadOnlySpan<DeploymentState> deployments, Span<int> ranks, int rank, Func<DeploymentState, double> score)
    {
        DeploymentState? best = null;
        var bestScore = double.MaxValue;
        var ties = 0;
        for (var i = 0; i < deployments.Length; i++)
        {
            if (ranks[i] != rank)
            {
                continue;
            }

            var s = score(deployments[i]);
            if (s < bestScore)
            {
                (best, bestScore, ties) = (deployments[i], s, 1);
            }
            else if (s == bestScore && Random.Shared.Next(++ties) == 0)
            {
                best = deployments[i];
            }
        }

        return best!;
    }
}
