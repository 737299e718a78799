using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// A health check that speaks the first words of a server's protocol. A bare TCP connect is not enough: it can
/// succeed before the server is ready (and always does through the orchestrator's proxy).
/// </summary>
internal sealed class ProtocolProbe(string protocol, int port, byte[] request, Func<byte[], int, bool> accepts) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Redis inline <c>PING</c>, answered by <c>+PONG</c>.</summary>
    public static ProtocolProbe RedisPing(int port) =>
        new("Redis PING", port, "PING\r\n"u8.ToArray(), (reply, length) => reply.AsSpan(0, length).StartsWith("+PONG"u8));

    /// <summary>AMQP 0-9-1 protocol header, answered by a method frame on channel 0 (<c>connection.start</c>).</summary>
    public static ProtocolProbe AmqpHeader(int port) =>
        new("AMQP handshake", port, "AMQP\0\0\u0009\u0001"u8.ToArray(), (reply, length) => length >= 3 && reply[0] == 1 && reply[1] == 0 && reply[2] == 0);

    /// <summary>Erlang port mapper <c>NAMES_REQ</c> (length 1, tag 110), answered by epmd's own 4-byte port number.</summary>
    public static ProtocolProbe EpmdNames(int port) =>
        new("epmd NAMES", port, [0, 1, 110], (_, length) => length >= 4);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);

            var reply = new byte[64];
            var length = 0;
            while (!accepts(reply, length) && length < reply.Length)
            {
                var read = await socket.ReceiveAsync(reply.AsMemory(length), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return accepts(reply, length)
                ? HealthCheckResult.Healthy($"{protocol} answered on port {port}")
                : HealthCheckResult.Unhealthy($"{protocol} got an unexpected reply on port {port}");
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{protocol} on port {port}: {ex.Message}");
        }
    }
}
