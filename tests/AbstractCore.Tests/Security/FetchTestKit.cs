using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AbstractCore.Security;

namespace AbstractCore.Tests.Security;

/// <summary>Resolvers that answer from a table, without DNS.</summary>
internal static class FakeDns
{
    /// <summary>"host=addr|addr;host2=addr" → a resolver; unknown names resolve to nothing.</summary>
    public static HostResolver Table(string table)
    {
        var map = table.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(row => row.Split('='))
            .ToDictionary(
                kv => kv[0].ToLowerInvariant(),
                kv => kv[1].Split('|', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        return (host, _) => Task.FromResult(map.TryGetValue(host.TrimEnd('.'), out var a) ? a : []);
    }

    /// <summary>Throws when asked: proves a decision was taken without DNS.</summary>
    public static HostResolver Never { get; } = (host, _) => throw new InvalidOperationException($"resolver asked for {host}");
}

/// <summary>A rebinding DNS server: a public answer the first time, a private one after.</summary>
internal sealed class RebindingDns(IPAddress first, IPAddress then)
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Task.FromResult<IPAddress[]>([Interlocked.Increment(ref _calls) == 1 ? first : then]);
}

/// <summary>
/// The fetcher's connector for tests: records every endpoint it is asked for and refuses anything not on
/// this machine, so a fetcher bug could never send a test's traffic to a real address.
/// </summary>
internal sealed class RecordingConnector
{
    public ConcurrentQueue<IPEndPoint> Attempts { get; } = new();

    public async ValueTask<Stream> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        Attempts.Enqueue(endpoint);
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        if (!IPAddress.IsLoopback(address))
        {
            throw new SocketException((int)SocketError.NetworkUnreachable);
        }

        return await DirectConnect.SocketAsync(endpoint, cancellationToken);
    }
}
