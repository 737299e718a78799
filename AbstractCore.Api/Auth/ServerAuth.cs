using System.Security.Cryptography;
using System.Text;
using AbstractCore.Api.Errors;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.OpenAI.Errors;

namespace AbstractCore.Api.Auth;

/// <summary>
/// The server token guards every route but health (and the docs unless protected), as their endpoints declare
/// (<see cref="OpenEndpoints"/>). It is compared in constant time and never forwarded: provider calls build their own
/// headers. A virtual key (<c>ack-…</c>) is presented the same way and opens the same routes, within its limits.
/// </summary>
internal static class ServerAuth
{
    private const string AuthenticatedKey = "acore.authenticated";

    public const string NotConfiguredMessage =
        "Server authentication is required but ABSTRACTCORE_AUTH_TOKEN is not configured. Set ABSTRACTCORE_AUTH_TOKEN, " +
        "set ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 only for intentional local/dev use, or pass an explicit upstream " +
        "provider key via X-AbstractCore-Provider-API-Key or Authorization: Bearer <provider-key>.";

    public static bool IsAuthenticated(HttpContext context) => context.Items.ContainsKey(AuthenticatedKey);

    public static void UseServerAuth(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<GatewaySettings>();
        var expected = settings.AuthToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.AuthToken));
        var ring = app.Services.GetRequiredService<KeyRing>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Use((context, next) =>
        {
            if (OpenEndpoints.IsOpen(context, settings.ProtectDocs))
            {
                return next(context);
            }

            var presented = context.Request.Headers.Credential();
            if (KeySecrets.LooksLikeKey(presented))
            {
                return VirtualKeyAsync(context, next, presented, ring, time);
            }

            if (expected is null)
            {
                return settings.AllowUnauthenticated || context.Request.Headers.ProviderKey(false) is not null
                    ? next(context)
                    : NotConfigured(context);
            }

            if (presented.Length == 0)
            {
                return Unauthorized(context, "Missing server Authorization bearer token");
            }

            // Hash first so the comparison is constant-time in the token's length too.
            var actual = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                return Unauthorized(context, "Invalid server Authorization bearer token");
            }

            context.Items[AuthenticatedKey] = true;
            return next(context);
        });
    }

    /// <summary>A virtual key authenticates like the server token, within what the key allows (<see cref="KeyGate"/>).
    /// A key the ring holds is found without awaiting, so the request path adds no asynchronous frame.</summary>
    private static Task VirtualKeyAsync(HttpContext context, RequestDelegate next, string presented, KeyRing ring, TimeProvider time)
    {
        var found = ring.FindAsync(KeySecrets.Hash(presented), context.RequestAborted);
        return found.IsCompletedSuccessfully ? Admit(context, next, found.Result, time) : LookedUpAsync(context, next, found, time);

        static async Task LookedUpAsync(HttpContext context, RequestDelegate next, ValueTask<VirtualKey?> found, TimeProvider time) =>
            await Admit(context, next, await found, time);
    }

    private static Task Admit(HttpContext context, RequestDelegate next, VirtualKey? key, TimeProvider time)
    {
        if (key is null)
        {
            return Unauthorized(context, "Invalid virtual key");
        }

        if (KeyGate.Refusal(key, context.GetEndpoint(), time.GetUtcNow()) is { } refusal)
        {
            return ErrorResponses.WriteAsync(context, refusal);
        }

        context.Items[AuthenticatedKey] = true;
        context.Features.Set(new KeyContext(key));
        return next(context);
    }

    private static Task NotConfigured(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponses.WriteAsync(context, 503, ErrorEnvelope.Create(NotConfiguredMessage, "server_auth_not_configured"));
    }

    private static Task Unauthorized(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ErrorResponses.WriteAsync(context, 401, ErrorEnvelope.Create(message, "authentication_error"));
    }
}
