using AbstractCore.Api.Hosting;
using AbstractCore.Media;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Media;

/// <summary>Runs a synchronous media call under the server's upstream deadline and answers its JSON.</summary>
public sealed class MediaRunner(MediaCallRunner upstream, GatewaySettings settings)
{
    public async Task<IResult> RunAsync(HttpContext context, MediaCall call, string? explicitKey)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(settings.UpstreamTimeout);
        try
        {
            var answer = await upstream.RunAsync(
                call, explicitKey, Auth.ServerAuth.IsAuthenticated(context), idempotencyKey: null, deadline.Token);
            return Results.Bytes(answer, "application/json");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            throw UpstreamFailure.Timeout(call.Provider, settings.UpstreamTimeout);
        }
    }
}
