namespace AbstractCore.Api.Keys;

/// <summary>
/// What a request with a virtual key must pass after the key is found, in the order a client can act on: a disabled or
/// expired key is 401; a route or admin route the key may not use, 403.
/// </summary>
internal static class KeyGate
{
    public static GatewayException? Refusal(VirtualKey key, Endpoint? endpoint, DateTimeOffset now)
    {
        if (key.Disabled)
        {
            return Unauthorized($"The virtual key '{key.Name}' is disabled.", "key_disabled");
        }

        if (key.ExpiresAt is { } expires && expires <= now)
        {
            return Unauthorized($"The virtual key '{key.Name}' expired at {expires:O}.", "key_expired");
        }

        if (!KeyAccess.RouteAllowed(key, endpoint))
        {
            return new GatewayException(403, $"The key '{key.Name}' may not call this route. It may call: {string.Join(", ", key.Routes!)}.",
                "permission_error", code: "route_not_allowed");
        }

        if (endpoint?.Metadata.GetMetadata<AdminOnly>() is not null && !key.IsAdmin)
        {
            return new GatewayException(403, $"The key '{key.Name}' has no 'admin' scope; managing keys needs the server token or an admin key.",
                "permission_error", code: "admin_scope_required");
        }

        return null;
    }

    private static GatewayException Unauthorized(string message, string code) => new(401, message, "authentication_error", code: code);
}
