using System.Net;
using System.Net.Sockets;

namespace AbstractCore.Security;

/// <summary>What the checked connect callbacks share: IP literals are taken as they are, and a connection is
/// opened to the first checked address that answers.</summary>
internal static class DirectConnect
{
    /// <summary>The address a host string spells (brackets and an IPv6 zone dropped), or null for a name. Only full
    /// dotted quads and IPv6 count: the handler hands on what <see cref="Uri"/> already normalised.</summary>
    public static IPAddress? Literal(string host)
    {
        var bare = host.Trim('[', ']');
        var zone = bare.IndexOf('%', StringComparison.Ordinal);
        if (zone >= 0)
        {
            bare = bare[..zone];
        }

        return IPAddress.TryParse(bare, out var literal) && (bare.Contains(':', StringComparison.Ordinal) || bare.Count(c => c == '.') == 3)
            ? literal
            : null;
    }

    /// <summary>The first of <paramref name="addresses"/> (all already checked) that accepts a connection.</summary>
    public static async ValueTask<Stream> FirstAsync(
        IPAddress[] addresses, int port, Func<IPEndPoint, CancellationToken, ValueTask<Stream>> connector, CancellationToken cancellationToken)
    {
        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await connector(new IPEndPoint(address, port), cancellationToken);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>A plain TCP connection, as SocketsHttpHandler would open it.</summary>
    public static async ValueTask<Stream> SocketAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
