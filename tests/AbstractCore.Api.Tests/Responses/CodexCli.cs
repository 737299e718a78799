using System.Diagnostics;
using System.Text;

namespace AbstractCore.Api.Tests.Responses;

/// <summary>
/// The real Codex CLI (npm <c>@openai/codex</c>), run as <c>codex exec</c> with a throw-away CODEX_HOME whose config
/// declares the gateway as a Responses provider. Found through ABSTRACTCORE_CODEX_BIN (what <c>.ci/run</c> sets),
/// else installed once with npm into ~/.cache/abstractcore/codex-VERSION; never skipped: a machine without npm fails.
/// </summary>
public sealed class CodexCli
{
    public const string Version = "0.169.0";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private CodexCli(string executable) => Executable = executable;

    public string Executable { get; }

    public static async Task<CodexCli> LocateAsync()
    {
        if (Environment.GetEnvironmentVariable("ABSTRACTCORE_CODEX_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? new CodexCli(configured)
                : throw new InvalidOperationException($"ABSTRACTCORE_CODEX_BIN points at {configured}, which does not exist.");
        }

        var prefix = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "abstractcore", $"codex-{Version}");
        var executable = Path.Combine(prefix, "node_modules", ".bin", "codex");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                var (exit, output) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, $"@openai/codex@{Version}"],
                    null, TimeSpan.FromMinutes(5));
                if (exit != 0 || !File.Exists(executable))
                {
                    throw new InvalidOperationException($"npm could not install @openai/codex@{Version} (exit {exit}): {output}");
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return new CodexCli(executable);
    }

    /// <summary>Runs <c>codex exec PROMPT</c> against the gateway at <paramref name="baseUrl"/> (…/v1) as provider "acore".</summary>
    public async Task<(int ExitCode, string Output)> ExecAsync(Uri baseUrl, string model, string token, string prompt, string workDirectory)
    {
        var home = Directory.CreateTempSubdirectory("acore-codex-home-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(home, "config.toml"), $"""
                model = "{model}"
                model_provider = "acore"

                [model_providers.acore]
                name = "AbstractCore"
                base_url = "{baseUrl.AbsoluteUri.TrimEnd('/')}"
                env_key = "ACORE_TEST_TOKEN"
                wire_api = "responses"
                request_max_retries = 0
                stream_max_retries = 0
                """);
            var environment = new Dictionary<string, string> { ["CODEX_HOME"] = home, ["ACORE_TEST_TOKEN"] = token };
            return await RunAsync(Executable,
                ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--cd", workDirectory, prompt],
                environment, TimeSpan.FromMinutes(3));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<(int, string)> RunAsync(string file, string[] arguments, Dictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // codex exec reads more prompt from a piped stdin: give it none
        var output = new StringBuilder();
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
            output.Append($"[killed after {timeout.TotalSeconds} s]\n");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}
