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

    /// <summary>Runs the request's attempts; <paramref name="state"/> reaches <paramref name="attempt"/>, which need not capture anything.</summary>
    public ValueTask RunAsync<TState>(HttpContext context, ModelAlias alias, Func<DeploymentState, TState, Task> attempt, TState state)
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

        return router.RunAsync(call, new Attempt<TState>(response, attempt, state), context.RequestAborted);
    }

    /// <summary>One request's attempts: each sets the headers (the one that answers leaves them), then runs.</summary>
    private sealed class Attempt<TState>(HttpResponse response, Func<DeploymentState, TState, Task> attempt, TState state) : AliasAttempt
    {
        public override Task RunAsync(DeploymentState deployment, AliasCall request, CancellationToken cancellationToken)
        {
            var attempts = request.Attempts;
            response.Headers[DeploymentHeader] = deployment.Deployment.Name;
            response.Headers[AttemptsHeader] = attempts < Counts.Length ? Counts[attempts] : attempts.ToString(CultureInfo.InvariantCulture);
            return attempt(deployment, state);
        }
    }

    /// <inheritdoc cref="RunAsync{TState}"/>
    public ValueTask RunAsync(HttpContext context, ModelAlias alias, Func<DeploymentState, Task> attempt) =>
        RunAsync(context, alias, static (deployment, attempt) => attempt(deployment), attempt);

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
