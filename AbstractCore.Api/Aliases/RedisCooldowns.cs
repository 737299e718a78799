using System.Threading.Channels;
using AbstractCore.Aliases;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// Cooldowns shared through Redis (<c>cache</c>): a circuit that opens or closes here is queued for
/// <see cref="RedisCooldownSync"/>, which writes <c>abstractcore:cooldown:{alias}\n{deployment}</c> with the cooldown as
/// its TTL (or deletes it) and reads the other replicas' keys into each <see cref="DeploymentState"/>. Publishing only
/// queues: the request that opened the circuit never waits on Redis, nor fails with it.
/// </summary>
internal sealed class RedisCooldowns : ICooldownShare
{
    public const string KeyPrefix = "abstractcore:cooldown:";

    // Unbounded: circuits open and close a few times per cooldown period, and TryWrite on it never blocks.
    private readonly Channel<DeploymentState> _changes = Channel.CreateUnbounded<DeploymentState>(new() { SingleReader = true });

    /// <summary>Deployments whose circuit changed, in order; the writer reads each one's latest state (<see cref="DeploymentState.LocalCoolingLeft"/>).</summary>
    public ChannelReader<DeploymentState> Changes => _changes.Reader;

    public static string RedisKey(DeploymentState deployment) => KeyPrefix + deployment.Key;

    public void Publish(DeploymentState deployment, TimeSpan left)
    {
        if (left <= TimeSpan.Zero)
        {
            // It answered here: stop skipping it now rather than at the next refresh, which reads the key deleted.
            deployment.ShareCooldown(TimeSpan.Zero);
        }

        _changes.Writer.TryWrite(deployment);
    }

    /// <summary>Queues a change again (its write failed while Redis was away).</summary>
    public void Retry(DeploymentState deployment) => _changes.Writer.TryWrite(deployment);
}
