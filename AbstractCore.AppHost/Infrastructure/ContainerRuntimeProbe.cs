using System.Diagnostics;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>
/// Asks docker (or podman) whether its engine answers. Aspire itself only notices a missing engine after a long
/// hang (the client exists, the daemon does not), so the AppHost decides before adding any container.
/// </summary>
internal static class ContainerRuntimeProbe
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Returns the first runtime whose <c>info</c> succeeds within <see cref="Timeout"/>, and what each said.</summary>
    public static (string? Runtime, string Detail) Find(string? preferred)
    {
        string[] runtimes = string.IsNullOrWhiteSpace(preferred) ? ["docker", "podman"] : [preferred];
        var details = new List<string>();
        foreach (var runtime in runtimes)
        {
            var (ok, detail) = Probe(runtime);
            details.Add($"'{runtime} info' {detail}");
            if (ok)
            {
                return (runtime, string.Join("; ", details));
            }
        }

        return (null, string.Join("; ", details));
    }

    private static (bool Ok, string Detail) Probe(string runtime)
    {
        var start = new ProcessStartInfo(runtime, ["info"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            return (false, "not installed");
        }

        if (process is null)
        {
            return (false, "did not start");
        }

        using (process)
        {
            // Drain both pipes so a chatty 'info' cannot block on a full buffer.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"gave no answer within {Timeout.TotalSeconds:0} s");
            }

            return process.ExitCode == 0 ? (true, "succeeded") : (false, $"failed (exit code {process.ExitCode})");
        }
    }
}
