using System.Net;
using AbstractCore.Security;

namespace AbstractCore.Providers;

/// <summary>
/// The pooled connection handlers every provider call goes through. A base URL the server was configured with is
/// trusted and uses the plain handler; one a request chose (<c>base_url</c>) uses a handler per
/// <see cref="BaseUrlGrant"/> whose connections are checked on the address actually reached
/// (<see cref="BaseUrlConnectGuard"/>), so a rebinding name cannot send the call elsewhere. Separate pools also keep
/// a connection opened for one grant from being reused under another. No overall timeout here: LLM calls are long,
/// and the gateway applies its own per-request deadline that it can tell apart from a client disconnect.
/// </summary>
public sealed class UpstreamHttp : IDisposable
{
    private readonly Clients _decompressing;
    private readonly Clients _relay;

    /// <param name="resolver">The resolver the guarded handlers look request-chosen hosts up with (tests answer
    /// without DNS); the system resolver by default.</param>
    public UpstreamHttp(HostResolver? resolver = null)
    {
        resolver ??= HostResolvers.System;
        _decompressing = new Clients(resolver, DecompressionMethods.All);
        _relay = new Clients(resolver, DecompressionMethods.None);
    }

    /// <summary>For base URLs from the server's configuration only; anything built from a request goes through
    /// <see cref="For(ProviderEndpoint)"/>.</summary>
    public HttpClient Client => _decompressing.Configured;

    /// <summary>The client for an endpoint: the plain one for a configured base URL, a guarded one for a request's.</summary>
    public HttpClient For(ProviderEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return For(endpoint.Grant);
    }

    /// <summary>The client for a base URL accepted under <paramref name="grant"/>, or the plain one for null (configured).</summary>
    public HttpClient For(BaseUrlGrant? grant) => _decompressing.For(grant);

    /// <summary>
    /// As <see cref="For(ProviderEndpoint)"/> (same guard for a request's base URL), for a call whose answer bytes are
    /// relayed: no automatic decompression, so no <c>Accept-Encoding</c> is sent and no decompressing layer sits in
    /// the way; an answer encoded all the same is for the caller to decode (<see cref="ContentDecoding"/>).
    /// </summary>
    public HttpClient RelayFor(ProviderEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _relay.For(endpoint.Grant);
    }

    public void Dispose()
    {
        _decompressing.Dispose();
        _relay.Dispose();
    }

    /// <summary>One client per grant, all with the same decompression.</summary>
    private sealed class Clients : IDisposable
    {
        private readonly HttpClient _loopback;
        private readonly HttpClient _allowlisted;

        public Clients(HostResolver resolver, DecompressionMethods decompression)
        {
            Configured = new HttpClient(NewHandler(decompression), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            _loopback = Guarded(new BaseUrlConnectGuard(BaseUrlGrant.Loopback, resolver), decompression);
            _allowlisted = Guarded(new BaseUrlConnectGuard(BaseUrlGrant.Allowlisted, resolver), decompression);
        }

        public HttpClient Configured { get; }

        public HttpClient For(BaseUrlGrant? grant) => grant switch
        {
            null => Configured,
            BaseUrlGrant.Loopback => _loopback,
            BaseUrlGrant.Allowlisted => _allowlisted,
            _ => throw new ArgumentOutOfRangeException(nameof(grant), grant, "unknown base_url grant"),
        };

        public void Dispose()
        {
            Configured.Dispose();
            _loopback.Dispose();
            _allowlisted.Dispose();
        }

        private static HttpClient Guarded(BaseUrlConnectGuard guard, DecompressionMethods decompression) =>
            new(guard.Configure(NewHandler(decompression)), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

        private static SocketsHttpHandler NewHandler(DecompressionMethods decompression) => new()
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = decompression,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
    }
}
