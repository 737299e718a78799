using AbstractCore.Api.Hosting;
using AbstractCore.Media;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Media;

/// <summary>Runs a synchronous media call under the server's upstream deadline and answers its JSON.</summary>
internal sealed class MediaRunner(MediaCallRunner upstream, GatewaySettings settings)
{
    /// <summary>Builds the call for this request's caller (its key, the path's provider), then runs it.</summary>
    public async Task<IResult> RunAsync(HttpContext context, Func<MediaCaller, Task<MediaCall>> build)
    {
        var caller = MediaCaller.Sync(context, OpenAIApi.PathProvider(context));
        var call = await build(caller);
        var answer = await UpstreamDeadline.RunAsync(call.Provider, settings.UpstreamTimeout,
            token => upstream.RunAsync(call, caller.ExplicitKey, Auth.ServerAuth.IsAuthenticated(context), idempotencyKey: null, token),
            context.RequestAborted);
        return Results.Bytes(answer, "application/json");
    }
}
