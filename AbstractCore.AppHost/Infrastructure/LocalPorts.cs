using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// Free loopback ports for servers told their port on the command line (their endpoints are not proxied, so the
/// port is picked here rather than by the orchestrator). Also compiled into the test kit, whose fixtures do the same.
/// </summary>
internal static class LocalPorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port that is free on loopback now and stays free until the server binds it, seconds later. Ports are
    /// drawn below the kernel's ephemeral range: a port-0 bind or an outgoing connection (the dashboard, the
    /// orchestrator, the services) is never given one there, while one from the range can be taken in the
    /// meantime, and epmd quietly exits with code 0 when its port is taken.
    /// </summary>
    public static int Next()
    {
        var below = EphemeralStart();
        lock (Given)
        {
            for (var tries = 0; below > Lowest + 1000 && tries < 200; tries++)
            {
#pragma warning disable CA5394 // a spread of ports, not a secret
                var port = Random.Shared.Next(Lowest, below);
#pragma warning restore CA5394
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int Lowest = 15000;

    /// <summary>The start of the ephemeral range; Linux's default when unknown.</summary>
    private static int EphemeralStart()
    {
        var ephemeralStart = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            ephemeralStart = int.Parse(text[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: keep the default.
        }

        return ephemeralStart;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
