using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Media;

/// <summary>Who asks for media work: the path provider (<c>/{provider}/v1/…</c>) and the per-request provider key.</summary>
internal readonly record struct MediaCaller(string? PathProvider, string? ExplicitKey)
{
    public static MediaCaller Sync(HttpContext context, string? pathProvider) => new(pathProvider,
        context.Request.Headers.ProviderKey(context.RequestServices.GetRequiredService<GatewaySettings>().AuthEnabled));

    /// <summary>Jobs run later in a worker with server-held keys: a per-request key would have to be stored with the
    /// job (Redis, the queue), so it is refused rather than silently dropped.</summary>
    public static MediaCaller Job(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (!string.IsNullOrWhiteSpace(headers["X-AbstractCore-Provider-API-Key"]) || !string.IsNullOrWhiteSpace(headers["X-Provider-API-Key"]))
        {
            throw GatewayException.BadRequest(
                "Async jobs run with the server's provider keys: a per-request X-AbstractCore-Provider-API-Key would be stored " +
                "with the job, so it is refused. Configure the provider key on the server, or use the synchronous route.",
                "X-AbstractCore-Provider-API-Key", "provider_key_not_allowed");
        }

        return new MediaCaller(null, null);
    }
}
