using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AbstractCore.Tests.Security;

/// <summary>
/// A bare HTTP/1.1 server on a loopback address that counts the connections it accepts. With no handler it
/// answers nothing: it stands for a forbidden target, and a test asserts it saw zero connections.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    public delegate Task Handler(string requestHead, Stream stream, CancellationToken cancellationToken);

    private readonly TcpListener _listener;
    private readonly Handler? _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _accepted;

    public LoopbackServer(IPAddress address, Handler? handler = null)
    {
        _handler = handler;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The request heads received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static LoopbackServer Answering(Func<string, string> respond) =>
        new(IPAddress.Loopback, async (head, stream, ct) =>
        {
            var bytes = Encoding.UTF8.GetBytes(respond(head));
            await stream.WriteAsync(bytes, ct);
        });

    public static string Response(int status, string body = "", string headers = "") =>
        $"HTTP/1.1 {status} X\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n{headers}\r\n{body}";

    /// <summary>The path of a request head ("GET /x HTTP/1.1 …" → "/x").</summary>
    public static string PathOf(string head) => head.Split(' ')[1];

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            if (_handler is null)
            {
                return;
            }

            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, _stop.Token);
                Requests.Enqueue(head);
                await _handler(head, stream, _stop.Token);
                await stream.FlushAsync(_stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (for instance after a size-cap refusal): nothing to do.
            }
        }
    }

    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16384)
        {
            if (await stream.ReadAsync(buffer, cancellationToken) == 0)
            {
                break;
            }

            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
