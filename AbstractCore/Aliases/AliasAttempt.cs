namespace AbstractCore.Aliases;

/// <summary>
/// What a request does on the deployment an attempt reached (<see cref="AliasRouter.RunAsync(AliasCall, AliasAttempt, CancellationToken)"/>).
/// One object holds the request's side, so the router's and Polly's state machines carry a reference to it, not copies of
/// what it holds.
/// </summary>
public abstract class AliasAttempt
{
    public abstract Task RunAsync(DeploymentState deployment, AliasCall request, CancellationToken cancellationToken);

    /// <summary>An attempt that is a delegate.</summary>
    public static AliasAttempt Of(Func<DeploymentState, CancellationToken, Task> attempt) => new Delegated(attempt);

    private sealed class Delegated(Func<DeploymentState, CancellationToken, Task> attempt) : AliasAttempt
    {
        public override Task RunAsync(DeploymentState deployment, AliasCall request, CancellationToken cancellationToken) =>
            attempt(deployment, cancellationToken);
    }
}
