using System.Diagnostics;
using System.Reflection;

namespace AbstractCore.Api.Tests.Jobs;

/// <summary>
/// <c>AbstractCore.Jobs</c> as a real separate process (<c>dotnet AbstractCore.Jobs.dll</c>), so a test can kill it the
/// way a crash would (SIGKILL: no graceful stop, unacknowledged messages go back to RabbitMQ) and start it again.
/// </summary>
public sealed class JobsWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private JobsWorkerProcess(Process process) => _process = process;

    public static JobsWorkerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(WorkerDll)!,
        };
        info.ArgumentList.Add(WorkerDll);
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "1";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var worker = new JobsWorkerProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
        worker._process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The worker's last output lines, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Kills the process at once, like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 80)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary><c>AbstractCore.Jobs/bin/&lt;configuration&gt;/net10.0/AbstractCore.Jobs.dll</c> beside this test build.</summary>
    private static string WorkerDll
    {
        get
        {
            var configuration = typeof(JobsWorkerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AbstractCore.sln")))
            {
                directory = directory.Parent;
            }

            var dll = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("AbstractCore.sln not found above the test folder"),
                "AbstractCore.Jobs", "bin", configuration, "net10.0", "AbstractCore.Jobs.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build AbstractCore.Jobs first", dll);
        }
    }
}
