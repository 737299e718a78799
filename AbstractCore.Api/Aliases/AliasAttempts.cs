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

    public ModelAliases Aliases => router.Aliases;

    public bool AuthEnabled => settings.AuthEnabled;

    /// <summary>The request's alias call, for a stream that continues on another deployment; null outside an alias request.</summary>
    public static AliasCall? Current(HttpContext context) => context.Items[CallItem] as AliasCall;

    public async Task RunAsync(HttpContext context, ModelAlias alias, Func<DeploymentState, Task> attempt)
    {
        var response = context.Response;
        var call = router.Call(alias, () => response.HasStarted, context.Request.Headers.ProviderKey(AuthEnabled) is not null);
        context.Items[CallItem] = call;
        response.OnStarting(static state =>
        {
            var (call, headers) = ((AliasCall, IHeaderDictionary))state;
            call.FirstByte();
            headers[AttemptsHeader] = call.Attempts.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }, (call, response.Headers));
        await router.RunAsync(call, (deployment, _) =>
        {
            response.Headers[DeploymentHeader] = deployment.Deployment.Name;
            return attempt(deployment);
        }, context.RequestAborted);
    }

    /// <summary>Continues <paramref name="call"/> on the deployments it has not tried (<see cref="AliasCall.Continuation"/>).</summary>
    public Task ContinueAsync(HttpContext context, AliasCall call, Func<DeploymentState, Task> attempt) =>
        router.RunAsync(call.Continuation(), (deployment, _) => attempt(deployment), context.RequestAborted);
}
