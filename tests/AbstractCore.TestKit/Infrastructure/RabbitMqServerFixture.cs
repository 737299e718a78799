using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace AbstractCore.TestKit;

/// <summary>
/// A private RabbitMQ node (Debian's <c>rabbitmq-server</c>) on free loopback ports with its own epmd, data, logs,
/// config and Erlang cookie in a temp folder, for one test class or collection. Startup takes several seconds: share
/// one per collection. Throws (never skips) when rabbitmq-server is not installed.
/// </summary>
public sealed class RabbitMqServerFixture : IAsyncLifetime
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private Process? _process;
    private string? _directory;
    private int _epmdPort;
    private int _distPort;

    /// <summary><c>amqp://guest:guest@127.0.0.1:&lt;port&gt;/</c>.</summary>
    public string ConnectionString { get; private set; } = "";

    public int Port { get; private set; }

    /// <summary>The Erlang node name, e.g. <c>acore-1a2b3c4d@localhost</c>.</summary>
    public string NodeName { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"{ServerScript} not found: apt-get install rabbitmq-server");
        }

        // A port picked as free can be taken before the node binds it: try a few times.
        for (var attempt = 1; ; attempt++)
        {
            _directory = ServerProcess.CreateTempDirectory("acore-rabbitmq-");
            Port = ServerProcess.GetFreePort();
            _epmdPort = ServerProcess.GetFreePort();
            _distPort = ServerProcess.GetFreePort();
            NodeName = $"acore-{Guid.NewGuid().ToString("N")[..8]}@localhost";
            ConnectionString = $"amqp://guest:guest@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/";

            var output = new OutputTail();
            _process = Start(_directory, Port, _epmdPort, _distPort, NodeName, output);
            var failure = await WaitUntilReadyAsync(_process).ConfigureAwait(false);
            if (failure is null)
            {
                return;
            }

            var details = $"{failure}{Environment.NewLine}Output:{Environment.NewLine}{output}{Environment.NewLine}Log:{Environment.NewLine}{ReadLogTail()}";
            await StopAsync().ConfigureAwait(false);
            if (attempt < 3 && details.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            throw new InvalidOperationException($"RabbitMQ node {NodeName} did not accept AMQP on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s. {details}");
        }
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>The node's process id while it runs (0 when killed).</summary>
    public int Pid => _process is { HasExited: false } process ? process.Id : 0;

    /// <summary>
    /// Kills the node by its PID (SIGKILL, like a crash or an OOM kill): connections drop at once, unacknowledged
    /// deliveries stay in the durable queues on disk. The data folder, ports and epmd are kept for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task KillAsync()
    {
        await ServerProcess.KillAsync(_process).ConfigureAwait(false);
        _process = null;
    }

    /// <summary>Starts the same node again (same name, ports and data, so durable queues and their messages are back).</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} is running (pid {Pid}): kill it first.");
        }

        var output = new OutputTail();
        _process = Start(_directory ?? throw new InvalidOperationException("The fixture was not started."), Port, _epmdPort, _distPort, NodeName, output);
        if (await WaitUntilReadyAsync(_process).ConfigureAwait(false) is { } failure)
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} did not come back on 127.0.0.1:{Port}: {failure}{Environment.NewLine}{output}{Environment.NewLine}{ReadLogTail()}");
        }
    }

    private async Task StopAsync()
    {
        await ServerProcess.KillAsync(_process).ConfigureAwait(false);
        _process = null;
        if (_epmdPort != 0)
        {
            await KillEpmdAsync(_epmdPort).ConfigureAwait(false);
            _epmdPort = 0;
        }

        ServerProcess.DeleteDirectory(_directory);
        _directory = null;
    }

    private static Process Start(string directory, int port, int epmdPort, int distPort, string nodeName, OutputTail output)
    {
        var config = Path.Combine(directory, "rabbitmq.conf");
        File.WriteAllText(config, "log.console = false\nlog.file.level = warning\n");
        var plugins = Path.Combine(directory, "enabled_plugins");
        File.WriteAllText(plugins, "[].\n");
        var envFile = Path.Combine(directory, "rabbitmq-env.conf");
        File.WriteAllText(envFile, "");

        var info = new ProcessStartInfo(ServerScript)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("RABBITMQ_", StringComparison.Ordinal) || k.StartsWith("ERL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var env = info.Environment;
        env["HOME"] = directory; // the Erlang cookie goes here
        env["RABBITMQ_CONF_ENV_FILE"] = envFile; // not /etc/rabbitmq/rabbitmq-env.conf
        env["RABBITMQ_CONFIG_FILE"] = config;
        env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = plugins;
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
        env["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbitmq.pid");
        env["RABBITMQ_NODENAME"] = nodeName;
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        // The default distribution port is NODE_PORT + 20000, which overflows for ephemeral ports.
        env["RABBITMQ_DIST_PORT"] = distPort.ToString(CultureInfo.InvariantCulture);
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        env["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture);

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {ServerScript}.");
        output.Attach(process);
        return process;
    }

    /// <returns>null when an AMQP connection succeeded, else why not.</returns>
    private async Task<string?> WaitUntilReadyAsync(Process process)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(ConnectionString),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
            ClientProvidedName = "acore-fixture-probe",
        };

        var deadline = DateTime.UtcNow + StartTimeout;
        string lastError = "no attempt";
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return $"rabbitmq-server exited with code {process.ExitCode}.";
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using var connection = await factory.CreateConnectionAsync(timeout.Token).ConfigureAwait(false);
                if (connection.IsOpen)
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationCanceledException or IOException or System.Net.Sockets.SocketException or OperationInterruptedException)
            {
                lastError = ex.GetBaseException().Message;
            }

            await Task.Delay(250).ConfigureAwait(false);
        }

        return $"Last connection error: {lastError}";
    }

    private string ReadLogTail()
    {
        try
        {
            var logDirectory = Path.Combine(_directory!, "log");
            if (!Directory.Exists(logDirectory))
            {
                return "(no log folder)";
            }

            var text = string.Join(Environment.NewLine, Directory.GetFiles(logDirectory, "*.log").Select(File.ReadAllText));
            return text.Length > 8000 ? text[^8000..] : text;
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    /// <summary>epmd daemonizes itself, so it is outside the killed process tree: ask it to stop.</summary>
    private static async Task KillEpmdAsync(int epmdPort)
    {
        var epmd = ServerProcess.FindExecutable("epmd", "/usr/bin/epmd");
        if (epmd is null)
        {
            return;
        }

        // epmd refuses to stop while it still lists the (just killed) node, which it notices a moment later.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var info = new ProcessStartInfo(epmd)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.ArgumentList.Add("-kill");
            info.Environment["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture);
            info.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
            using var process = Process.Start(info);
            if (process is null)
            {
                return;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return;
            }

            var said = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
            // "Killed" on success; "Cannot connect to local epmd" when it is already gone.
            if (!said.Contains("not allowed", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
