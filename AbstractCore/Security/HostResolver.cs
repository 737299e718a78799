using System.Net;
using System.Net.Sockets;

namespace AbstractCore.Security;

/// <summary>Turns a host name into its addresses. Injected so tests can answer with any address (or change
/// the answer between calls, as a rebinding DNS server would) without touching the network.</summary>
public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>The default <see cref="HostResolver"/>: the system resolver, all address families.</summary>
internal static class HostResolvers
{
    public static HostResolver System { get; } = ResolveAsync;

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return []; // "did not resolve" is an answer the callers word themselves
        }
        catch (ArgumentException)
        {
            return [];
        }
    }
}
