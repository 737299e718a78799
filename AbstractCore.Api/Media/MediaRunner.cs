using AbstractCore.Api.Hosting;
using AbstractCore.Api.Spend;
using AbstractCore.Media;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Media;

/// <summary>Runs a synchronous media call under the server's upstream deadline and answers its JSON, charging the
/// request's bill with what the answer says it produced (a failed call throws first and charges nothing).</summary>
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
        RequestBill.Of(context)?.Charge(call.Provider, MediaBilling.Model(call), MediaBilling.Of(call.Kind, answer));
        return Results.Bytes(answer, "application/json");
    }
}
