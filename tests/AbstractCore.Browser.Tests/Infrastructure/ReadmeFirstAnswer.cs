using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AbstractCore.Browser.Tests.Infrastructure;

/// <summary>The README's "A first answer, with nothing configured": the AppHost's variables and the curl command, as written.</summary>
public static partial class ReadmeFirstAnswer
{
    private static IReadOnlyList<string> Blocks()
    {
        var text = File.ReadAllText(Path.Combine(AppHostProcess.RepositoryRoot, "README.md"));
        var start = text.IndexOf("\n### A first answer, with nothing configured\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '### A first answer, with nothing configured' section");
        var end = text.IndexOf("\n### ", start + 1, StringComparison.Ordinal);
        return [.. BashBlock().Matches(text[start..end]).Select(m => m.Groups["code"].Value)];
    }

    /// <summary>The <c>NAME=value</c> words in front of <c>dotnet run --project AbstractCore.AppHost</c>.</summary>
    public static IReadOnlyDictionary<string, string> Environment()
    {
        var run = Assert.Single(Blocks(), b => b.Contains("dotnet run --project AbstractCore.AppHost", StringComparison.Ordinal));
        return Assignment().Matches(run).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
    }

    /// <summary>Runs the section's curl command with bash; its standard output.</summary>
    public static async Task<string> CurlAsync()
    {
        var curl = Assert.Single(Blocks(), b => b.TrimStart().StartsWith("curl ", StringComparison.Ordinal));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(curl);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(patience.Token);
        Assert.True(process.ExitCode == 0, await errors);
        return await output;
    }

    [GeneratedRegex(@"^```bash\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"(?<=^|\s)(?<name>[A-Z][A-Z0-9_]*)=(?<value>\S+)(?=\s)", RegexOptions.Multiline)]
    private static partial Regex Assignment();
}
