using System.Globalization;
using AbstractCore.Aliases;
using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Aliases;

/// <summary>
/// Runs a request for a model alias on its deployments (<see cref="AliasRouter"/>), for every route that serves aliases:
/// the client learns which deployment answered and after how many attempts (<see cref="DeploymentHeader"/>,
/// <see cref="AttemptsHeader"/>), never its URL or key.
/// </summary>
internal sealed class AliasAttempts(AliasRouter router, GatewaySettings settings)
{
    /// <summary>The response header naming the alias deployment that answered (its name, never its URL).</summary>
    public const string DeploymentHeader = "X-AbstractCore-Deployment";

    /// <summary>The response header counting the attempts an alias request took.</summary>
    public const string AttemptsHeader = "X-AbstractCore-Attempts";

    private static readonly object CallItem = new();

    private static readonly string[] Counts = [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    public ModelAliases Aliases => router.Aliases;

    public bool AuthEnabled => settings.AuthEnabled;

    /// <summary>The request's alias call, for a stream that continues on another deployment (<see cref="AliasResume.Prefill"/>);
    /// null otherwise.</summary>
    public static AliasCall? Current(HttpContext context) => context.Items[CallItem] as AliasCall;

    /// <summary>Runs the request's attempts: <paramref name="attempt"/> on one deployment after another (<see cref="AliasRouter"/>).</summary>
    public ValueTask RunAsync(HttpContext context, ModelAlias alias, Attempt attempt)
    {
        var response = context.Response;
        var call = router.Call(alias, static r => ((HttpResponse)r!).HasStarted, response, context.Request.Headers.ProviderKey(AuthEnabled) is not null);
        if (alias.Resume == AliasResume.Prefill)
        {
            context.Items[CallItem] = call; // for a stream that breaks (Current)
        }

        if (alias.Strategy == AliasStrategy.Latency)
        {
            response.OnStarting(static state =>
            {
                ((AliasCall)state).FirstByte();
                return Task.CompletedTask;
            }, call);
        }

        return router.RunAsync(call, attempt, context.RequestAborted);
    }

    /// <inheritdoc cref="RunAsync(HttpContext, ModelAlias, Attempt)"/>
    public ValueTask RunAsync(HttpContext context, ModelAlias alias, Func<DeploymentState, Task> attempt) =>
        RunAsync(context, alias, new Delegated(context.Response, attempt));

    /// <summary>
    /// What a request does on each deployment it reaches (<see cref="RunOnAsync"/>), after the headers name the deployment
    /// and count the attempts (the one that answers leaves them). A class, not a delegate, so that a route's attempt
    /// carries what it needs in fields.
    /// </summary>
    internal abstract class Attempt(HttpResponse response) : AliasAttempt
    {
        public sealed override Task RunAsync(DeploymentState deployment, AliasCall request, CancellationToken cancellationToken)
        {
            var attempts = request.Attempts;
            response.Headers[DeploymentHeader] = deployment.Deployment.Name;
            response.Headers[AttemptsHeader] = attempts < Counts.Length ? Counts[attempts] : attempts.ToString(CultureInfo.InvariantCulture);
            return RunOnAsync(deployment);
        }

        protected abstract Task RunOnAsync(DeploymentState deployment);
    }

    private sealed class Delegated(HttpResponse response, Func<DeploymentState, Task> attempt) : Attempt(response)
    {
        protected override Task RunOnAsync(DeploymentState deployment) => attempt(deployment);
    }

    /// <summary>
    /// Continues <paramref name="call"/> on the deployments it has not tried (<see cref="AliasCall.Continuation"/>), which
    /// becomes the request's call, so a continuation that breaks again goes on from there; false, having run nothing, once
    /// the alias's attempts are spent.
    /// </summary>
    public async Task<bool> ContinueAsync(HttpContext context, AliasCall call, Func<DeploymentState, Task> attempt)
    {
        if (call.Continuation() is not { } next)
        {
            return false;
        }

        context.Items[CallItem] = next;
        await router.RunAsync(next, (deployment, _) => attempt(deployment), context.RequestAborted);
        return true;
    }
}
