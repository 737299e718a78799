using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AbstractCore.Browser.Tests.Infrastructure;

/// <summary>
/// The AppHost run as a user runs it (<c>dotnet AbstractCore.AppHost.dll</c> from its project folder, what
/// <c>dotnet run --project AbstractCore.AppHost</c> ends in), with its dashboard on free loopback ports and open without a
/// login. It runs in a process group of its own (<c>setsid</c>) so that a stop that fails can kill it all.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopPatience = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly List<string> _output = [];

    private AppHostProcess(Process process, Uri dashboard)
    {
        _process = process;
        Dashboard = dashboard;
    }

    /// <summary>The dashboard, <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri Dashboard { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the AppHost has written so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>The infrastructure mode the AppHost logged (<c>Executable</c>, <c>Embedded</c>…), once it has.</summary>
    public string? Mode => ModeLine().Match(Output) is { Success: true } match ? match.Groups["mode"].Value : null;

    public static AppHostProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var dll = AppHostDll();
        var dashboard = new Uri($"http://127.0.0.1:{FreePort()}/");
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The project folder, as under dotnet run: the AppHost resolves its services' projects from there.
            WorkingDirectory = Path.Combine(RepositoryRoot, "AbstractCore.AppHost"),
        };
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(dll);

        // What the launch profile sets, on free ports; plain HTTP on loopback and no login for an unattended run.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = dashboard.AbsoluteUri.TrimEnd('/');
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        // The console logger's colours would only clutter the output kept for failure messages.
        info.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var appHost = new AppHostProcess(Process.Start(info) ?? throw new InvalidOperationException("setsid did not start"), dashboard);
        appHost._process.OutputDataReceived += (_, e) => appHost.Keep(e.Data);
        appHost._process.ErrorDataReceived += (_, e) => appHost.Keep(e.Data);
        appHost._process.BeginOutputReadLine();
        appHost._process.BeginErrorReadLine();
        return appHost;
    }

    /// <summary>Waits for a line of the AppHost's output that contains <paramref name="text"/> (such as <c>api: ready</c>).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"The AppHost {(_process.HasExited ? $"exited ({_process.ExitCode})" : $"ran {patience.TotalSeconds:0} s")} " +
                    $"without logging '{text}'. Its output:\n{Output}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Stops it gracefully (SIGTERM, which the host handles like Ctrl+C: the AppHost stops its resources; SIGINT may be
    /// ignored by a process started in the background); kills its process group when that fails.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var patience = new CancellationTokenSource(StopPatience);
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Signal("-KILL", "--", "-" + _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private static void Signal(params string[] arguments)
    {
        using var kill = Process.Start("kill", arguments);
        kill.WaitForExit();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AbstractCore.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException($"No AbstractCore.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary><c>AbstractCore.AppHost/bin/&lt;configuration&gt;/net10.0/AbstractCore.AppHost.dll</c>, built with this test build.</summary>
    private static string AppHostDll()
    {
        var configuration = typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(RepositoryRoot, "AbstractCore.AppHost", "bin", configuration, "net10.0", "AbstractCore.AppHost.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build AbstractCore.AppHost first", dll);
    }

    [GeneratedRegex(@"Infrastructure mode: (?<mode>\w+)")]
    private static partial Regex ModeLine();
}
