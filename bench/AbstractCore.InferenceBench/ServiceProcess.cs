using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AbstractCore.InferenceBench;

/// <summary>A Release build of a service started as its own process on a free loopback port, stopped on dispose.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri root)
    {
        _process = process;
        Root = root;
    }

    public Uri Root { get; }

    /// <summary>User + system CPU time the process has used so far.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Waits (at most two minutes) for a second in which the services together use under 2 % of a core: tiered
    /// compilation rejits hot methods in the background after load, and that work must not land inside a measurement.
    /// </summary>
    public static async Task WaitQuietAsync(params ServiceProcess[] services)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            var before = services.Sum(s => s.Cpu.TotalMilliseconds);
            await Task.Delay(1000);
            if (services.Sum(s => s.Cpu.TotalMilliseconds) - before < 20)
            {
                return;
            }
        }

        Console.Error.WriteLine("services still busy after 2 minutes idle; measuring anyway");
    }

    public static async Task<ServiceProcess> StartAsync(string dll, IEnumerable<KeyValuePair<string, string>> environment)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build it first (dotnet build -c Release): {dll}");
        }

        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 })
            {
                Console.Error.WriteLine($"[{Path.GetFileNameWithoutExtension(dll)}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var root = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = root };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return new ServiceProcess(process, root);
                }
            }
            catch (HttpRequestException) when (attempt < 600 && !process.HasExited)
            {
            }

            if (process.HasExited || attempt >= 600)
            {
                throw new InvalidOperationException($"{dll} did not start.");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
