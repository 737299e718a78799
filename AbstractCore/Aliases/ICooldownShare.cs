namespace AbstractCore.Aliases;

/// <summary>
/// Where a replica tells the others that a deployment opened or closed its circuit, and learns theirs
/// (<see cref="DeploymentState.ShareCooldown"/>). The request path never waits on it: a share writes in the background
/// and keeps the local view when its store is away.
/// </summary>
public interface ICooldownShare
{
    /// <summary>The deployment cools down for <paramref name="left"/> (its circuit opened here), or no longer (zero: it answered again).</summary>
    void Publish(DeploymentState deployment, TimeSpan left);
}

/// <summary>One replica alone: its own circuits are the whole view.</summary>
public sealed class LocalCooldowns : ICooldownShare
{
    public void Publish(DeploymentState deployment, TimeSpan left)
    {
    }
}
