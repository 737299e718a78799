using AbstractCore.Api.Hosting;
using AbstractCore.Media;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Media;

/// <summary>Runs a synchronous media call under the server's upstream deadline and answers its JSON.</summary>
public sealed class MediaRunner(MediaCallRunner upstream, GatewaySettings settings)
{
    public async Task<IResult> RunAsync(HttpContext context, MediaCall call, string? explicitKey)
    {
        var answer = await UpstreamDeadline.RunAsync(call.Provider, settings.UpstreamTimeout,
            token => upstream.RunAsync(call, explicitKey, Auth.ServerAuth.IsAuthenticated(context), idempotencyKey: null, token),
            context.RequestAborted);
        return Results.Bytes(answer, "application/json");
    }
}
