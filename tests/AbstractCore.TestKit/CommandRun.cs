using System.Diagnostics;

namespace AbstractCore.TestKit;

/// <summary>What a finished command printed.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output, then standard error: for failure messages.</summary>
    public string All => Output + Errors;
}

/// <summary>Runs a command (npm, node, codex, claude, curl, dotnet) to its end, with an empty standard input; one that outlives
/// <c>timeout</c> is killed with its children and reported, so a hang fails a test instead of stalling the suite.
/// <c>environment</c> adds to (or replaces in) the inherited environment; <c>unset</c> names inherited variables to drop.</summary>
public static class CommandRun
{
    public static async Task<CommandResult> RunAsync(
        string file, IEnumerable<string> arguments, TimeSpan timeout, string? directory = null, IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? unset = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = directory ?? "",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in unset ?? [])
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // codex exec reads more prompt from a piped stdin: give every command none
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new(-1, await stdout, $"[killed after {timeout.TotalSeconds} s]\n{await stderr}");
        }

        return new(process.ExitCode, await stdout, await stderr);
    }
}
