namespace AbstractCore.Providers;

/// <summary>What one request asks of a provider's resolution: an optional <c>base_url</c> override, an optional
/// explicit provider key (header, or the <c>/v1/models</c> query), and whether the request carried the server token.</summary>
/// <param name="BaseUrl">The request-level <c>base_url</c>, or null for the configured one.</param>
/// <param name="ExplicitKey">The caller's own provider key, or null.</param>
/// <param name="ServerAuthenticated">True only when the request presented the right server token; with server auth
/// disabled no request is server-authenticated.</param>
public sealed record ProviderRequest(string? BaseUrl, string? ExplicitKey, bool ServerAuthenticated)
{
    /// <summary>The gateway acting on its own behalf for a server-authenticated caller, with no overrides.</summary>
    public static ProviderRequest Authenticated { get; } = new(null, null, true);

    /// <summary>No overrides, no server token.</summary>
    public static ProviderRequest Anonymous { get; } = new(null, null, false);
}
