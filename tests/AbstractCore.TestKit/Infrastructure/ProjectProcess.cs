using System.Diagnostics;
using System.Reflection;

namespace AbstractCore.TestKit;

/// <summary>
/// One of the solution's services as a real separate process (<c>dotnet AbstractCore.Jobs.dll</c>, the build beside
/// this test build), so a test can kill it the way a crash would (SIGKILL: no graceful stop, unacknowledged messages go
/// back to RabbitMQ) and start it again, or run it exactly as a user would.
/// </summary>
public sealed class ProjectProcess : IDisposable
{
    private readonly Process _process;
    private readonly OutputTail _output = new();

    private ProjectProcess(Process process) => _process = process;

    /// <summary>The Jobs worker.</summary>
    public static ProjectProcess StartWorker(IReadOnlyDictionary<string, string> environment) => Start("AbstractCore.Jobs", environment);

    public static ProjectProcess Start(string project, IReadOnlyDictionary<string, string> environment)
    {
        var dll = ProjectDll(project);
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "1";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var worker = new ProjectProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
        worker._output.Attach(worker._process);
        return worker;
    }

    /// <summary>The process's last output lines, for failure messages.</summary>
    public string Output => _output.ToString();

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

    /// <summary>The repository root: the folder above this test build that holds AbstractCore.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AbstractCore.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("AbstractCore.sln not found above the test folder");
        }
    }

    /// <summary><c>&lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;project&gt;.dll</c>, built with this test build.</summary>
    public static string ProjectDll(string project)
    {
        var configuration = typeof(ProjectProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(RepositoryRoot, project, "bin", configuration, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first", dll);
    }
}
