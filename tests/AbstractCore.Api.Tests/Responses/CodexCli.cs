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
                var install = await CommandRun.RunAsync("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, $"@openai/codex@{Version}"],
                    TimeSpan.FromMinutes(5));
                if (install.ExitCode != 0 || !File.Exists(executable))
                {
                    throw new InvalidOperationException($"npm could not install @openai/codex@{Version} (exit {install.ExitCode}): {install.All}");
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
            var run = await CommandRun.RunAsync(Executable,
                ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--cd", workDirectory, prompt],
                TimeSpan.FromMinutes(3), environment: environment);
            return (run.ExitCode, run.All);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
