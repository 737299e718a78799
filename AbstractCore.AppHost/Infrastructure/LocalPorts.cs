using System.Net;
using System.Net.Sockets;

namespace AbstractCore.AppHost.Infrastructure;

internal static class LocalPorts
{
    /// <summary>
    /// A port that is free on loopback right now. The servers are told their port on the command line and their
    /// endpoints are not proxied, so the port is picked here rather than by the orchestrator.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
