using System.Diagnostics;

namespace AbstractCore.TestKit;

/// <summary>Helpers shared by the fixtures that run real servers as child processes.</summary>
public static class ServerProcess
{
    /// <summary>A loopback port that is free now and unlikely to be taken before the server binds it.</summary>
    public static int GetFreePort() => AbstractCore.AppHost.Infrastructure.LocalPorts.Next();

    /// <summary>The first existing file among <paramref name="name"/> on PATH and the <paramref name="fallbacks"/>.</summary>
    public static string? FindExecutable(string name, params string[] fallbacks)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return fallbacks.FirstOrDefault(File.Exists);
    }

    public static string CreateTempDirectory(string prefix) =>
        Directory.CreateTempSubdirectory(prefix).FullName;

    public static void DeleteDirectory(string? path)
    {
        if (path is null)
        {
            return;
        }

        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }

    public static async Task KillAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }
}

/// <summary>The last lines a child process wrote to stdout and stderr, for error messages.</summary>
internal sealed class OutputTail
{
    private const int MaxLines = 60;
    private readonly Queue<string> _lines = new();
    private readonly Lock _lock = new();

    public void Attach(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Enqueue(line);
            while (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return string.Join(Environment.NewLine, _lines);
        }
    }
}
