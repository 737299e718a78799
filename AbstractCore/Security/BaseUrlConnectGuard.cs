using System.Net;

namespace AbstractCore.Security;

/// <summary>
/// The connect-time half of the <c>base_url</c> rule (spec §2.3), for upstream calls to a request-chosen URL.
/// <see cref="BaseUrlPolicy"/> judges the name when the request arrives, but the HTTP client would resolve it again
/// when it connects, and a name that answers 127.0.0.1 to the first lookup and a private address to the second
/// (DNS rebinding) would reach the private address. So the handler's <see cref="SocketsHttpHandler.ConnectCallback"/>
/// resolves the name itself and connects only to addresses the grant allows, for every new connection: loopback
/// ones for a loopback grant; any for an allowlisted URL, since the operator vouched for the name. The handler must
/// use no proxy (it would connect on our behalf, past this check) and never HTTP/3 (QUIC skips ConnectCallback):
/// <see cref="Configure"/> sets all three.
/// </summary>
internal sealed class BaseUrlConnectGuard(BaseUrlGrant grant, HostResolver resolver, Func<IPEndPoint, CancellationToken, ValueTask<Stream>>? connector = null)
{
    private readonly Func<IPEndPoint, CancellationToken, ValueTask<Stream>> _connector = connector ?? DirectConnect.SocketAsync;

    public BaseUrlGrant Grant { get; } = grant;

    /// <summary>Points <paramref name="handler"/>'s connections through this guard, with no proxy, and wraps it so
    /// that no request asks for HTTP/3.</summary>
    public HttpMessageHandler Configure(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.UseProxy = false;
        handler.Proxy = null;
        handler.ConnectCallback = ConnectAsync;
        return new NoHttp3Handler(handler);
    }

    /// <summary>Resolves the host and connects to the first allowed address; a refused address is a 403 for the request,
    /// raised before any connection is opened.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses = DirectConnect.Literal(host) is { } literal ? [literal] : await resolver(host, cancellationToken);
        if (Grant == BaseUrlGrant.Loopback && (addresses.Length == 0 || !addresses.All(AddressRules.IsLoopback)))
        {
            // Refused as the policy would have refused it had it seen these addresses: the same 403, nothing sent.
            throw BaseUrlPolicy.Refused();
        }

        return await DirectConnect.FirstAsync(addresses, context.DnsEndPoint.Port, _connector, cancellationToken);
    }

    /// <summary>Caps each request at HTTP/2: an SDK that asked for HTTP/3 would otherwise open a QUIC connection, which
    /// never goes through <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    private sealed class NoHttp3Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Version >= HttpVersion.Version30)
            {
                request.Version = HttpVersion.Version20;
            }

            if (request.VersionPolicy == HttpVersionPolicy.RequestVersionOrHigher)
            {
                request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
