using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace AbstractCore.TestKit;

/// <summary>
/// A private <c>redis-server</c> (Debian's package) on a free loopback port, without persistence, for one test class or
/// collection. Throws (never skips) when redis-server is not installed.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly bool _persistent;
    private Process? _process;

    public RedisServerFixture()
    {
    }

    private RedisServerFixture(bool persistent) => _persistent = persistent;

    /// <summary>A server that writes every change to an append-only file (fsync each), so one killed and started again
    /// keeps what it acknowledged, as a production Redis with persistence does.</summary>
    public static RedisServerFixture Persistent() => new(persistent: true);
    private string? _directory;
    private string? _executable;

    /// <summary><c>127.0.0.1:&lt;port&gt;</c>, as StackExchange.Redis takes it.</summary>
    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>The running server's process id; null while it is killed.</summary>
    public int? ProcessId => _process?.Id;

    public async Task InitializeAsync()
    {
        var executable = _executable = ServerProcess.FindExecutable("redis-server", "/usr/bin/redis-server")
            ?? throw new InvalidOperationException("redis-server not found: apt-get install redis-server");
        _directory = ServerProcess.CreateTempDirectory("acore-redis-");

        // A port picked as free can be taken before redis binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = ServerProcess.GetFreePort();
            var output = new OutputTail();
            var process = Start(executable, port, _directory, output, _persistent);
            if (await WaitUntilReadyAsync(process, port).ConfigureAwait(false))
            {
                _process = process;
                Port = port;
                ConnectionString = $"127.0.0.1:{port}";
                return;
            }

            await ServerProcess.KillAsync(process).ConfigureAwait(false);
            var log = output.ToString();
            if (attempt < 3 && log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            ServerProcess.DeleteDirectory(_directory);
            throw new InvalidOperationException($"redis-server did not answer PING on 127.0.0.1:{port} within {StartTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{log}");
        }
    }

    /// <summary>Kills the server (SIGKILL, by its process id), as an outage would: clients see their connections drop.</summary>
    public async Task KillAsync()
    {
        await ServerProcess.KillAsync(_process).ConfigureAwait(false);
        _process = null;
    }

    /// <summary>Starts the server again on the same port (empty, unless persistent); a no-op while it runs.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            return;
        }

        var output = new OutputTail();
        var process = Start(_executable!, Port, _directory!, output, _persistent);
        if (!await WaitUntilReadyAsync(process, Port).ConfigureAwait(false))
        {
            await ServerProcess.KillAsync(process).ConfigureAwait(false);
            throw new InvalidOperationException($"redis-server did not come back on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s. Its output:{Environment.NewLine}{output}");
        }

        _process = process;
    }

    public async Task DisposeAsync()
    {
        await ServerProcess.KillAsync(_process).ConfigureAwait(false);
        _process = null;
        ServerProcess.DeleteDirectory(_directory);
    }

    private static Process Start(string executable, int port, string directory, OutputTail output, bool persistent)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1",
                     "--save", "",
                     "--appendonly", persistent ? "yes" : "no",
                     "--appendfsync", "always",
                     "--dir", directory,
                     "--daemonize", "no",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        output.Attach(process);
        return process;
    }

    private static async Task<bool> WaitUntilReadyAsync(Process process, int port)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }

            if (await PingAsync(port).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Sends an inline RESP <c>PING</c> and expects <c>+PONG</c>.</summary>
    private static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
