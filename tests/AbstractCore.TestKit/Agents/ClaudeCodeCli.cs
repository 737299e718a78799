namespace AbstractCore.TestKit;

/// <summary>
/// The real Claude Code CLI (npm <c>@anthropic-ai/claude-code</c>, a native binary), run non-interactively as
/// <c>claude -p PROMPT --model MODEL</c> against a gateway's Messages API (<c>ANTHROPIC_BASE_URL</c>, which Claude Code
/// posts <c>/v1/messages?beta=true</c> to, streamed). Found through ABSTRACTCORE_CLAUDE_BIN (what <c>.ci/run</c> sets), else
/// installed once with npm into ~/.cache/abstractcore/claude-code-VERSION; never skipped: a machine without npm fails.
/// </summary>
/// <remarks>
/// Each run gets a throw-away HOME (so no user settings, sessions or credentials are read or written), the server token
/// as ANTHROPIC_API_KEY, telemetry, error reporting, autoupdate, nonessential traffic and retries off, and every inherited
/// ANTHROPIC_* / CLAUDE* variable dropped. Permission: <c>--permission-mode dontAsk</c> with <c>--allowedTools</c> set to the
/// offered tools runs them without asking (bypassPermissions is refused when running as root, as CI does).
/// </remarks>
public sealed class ClaudeCodeCli
{
    public const string Version = "2.1.328";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private ClaudeCodeCli(string executable) => Executable = executable;

    public string Executable { get; }

    /// <summary>Where the npm install goes when ABSTRACTCORE_CLAUDE_BIN is not set (what .ci/run computes the same way).</summary>
    public static string InstallFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "abstractcore", $"claude-code-{Version}");

    public static async Task<ClaudeCodeCli> LocateAsync()
    {
        if (Environment.GetEnvironmentVariable("ABSTRACTCORE_CLAUDE_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? new ClaudeCodeCli(configured)
                : throw new InvalidOperationException($"ABSTRACTCORE_CLAUDE_BIN points at {configured}, which does not exist.");
        }

        var prefix = InstallFolder;
        var executable = Path.Combine(prefix, "node_modules", ".bin", "claude");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(executable))
            {
                var install = await CommandRun.RunAsync("npm",
                    ["install", "--no-audit", "--no-fund", "--prefix", prefix, $"@anthropic-ai/claude-code@{Version}"], TimeSpan.FromMinutes(10));
                if (install.ExitCode != 0 || !File.Exists(executable))
                {
                    throw new InvalidOperationException($"npm could not install @anthropic-ai/claude-code@{Version} (exit {install.ExitCode}): {install.All}");
                }
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return new ClaudeCodeCli(executable);
    }

    /// <summary>The arguments (after the executable) of one <c>-p</c> run.</summary>
    public static IReadOnlyList<string> Arguments(string prompt, string model, ClaudeCodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tools = string.Join(',', options.Tools);
        List<string> arguments = options.Bare ? ["--bare"] : [];
        arguments.AddRange(
        [
            "-p", prompt,
            "--model", model,
            "--output-format", "text",
            "--tools", tools,
            "--permission-mode", "dontAsk",
            "--system-prompt", options.SystemPrompt,
            "--max-turns", options.MaxTurns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--no-session-persistence",
            "--strict-mcp-config",
        ]);
        if (tools.Length > 0)
        {
            arguments.AddRange(["--allowedTools", tools]);
        }

        return arguments;
    }

    /// <summary>
    /// Runs <c>claude -p PROMPT</c> in <paramref name="workDirectory"/> against the gateway whose root (not …/v1) is
    /// <paramref name="gateway"/>, with <paramref name="token"/> as the API key; what it printed (stdout: the final answer).
    /// </summary>
    public async Task<CommandResult> PrintAsync(Uri gateway, string model, string token, string prompt, string workDirectory, ClaudeCodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        options ??= new ClaudeCodeOptions();
        var home = Directory.CreateTempSubdirectory("acore-claude-home-").FullName;
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["ANTHROPIC_BASE_URL"] = gateway.AbsoluteUri.TrimEnd('/'),
                ["ANTHROPIC_API_KEY"] = token,
                ["DISABLE_TELEMETRY"] = "1",
                ["DISABLE_ERROR_REPORTING"] = "1",
                ["DISABLE_AUTOUPDATER"] = "1",
                ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
                ["CLAUDE_CODE_MAX_RETRIES"] = "0",
            };
            if (options.MaxOutputTokens is { } maxOutputTokens)
            {
                environment["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = maxOutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            foreach (var (name, value) in options.Environment)
            {
                environment[name] = value;
            }

            var inherited = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Where(k => k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("CLAUDE", StringComparison.Ordinal));
            return await CommandRun.RunAsync(Executable, Arguments(prompt, model, options), options.Timeout, workDirectory, environment, inherited);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}

/// <summary>How <see cref="ClaudeCodeCli"/> runs a prompt.</summary>
public sealed record ClaudeCodeOptions
{
    /// <summary>The built-in tools offered (<c>--tools</c>) and allowed without asking (<c>--allowedTools</c>); none: no tools.</summary>
    public IReadOnlyList<string> Tools { get; init; } = ["Bash"];

    /// <summary>Replaces Claude Code's long default system prompt (<c>--system-prompt</c>).</summary>
    public string SystemPrompt { get; init; } = "You are a terse test agent. Run the commands you are asked to with the Bash tool, then report their output.";

    /// <summary>
    /// <c>--bare</c>: the smallest request (about 2.5 KB with Bash only): no attribution reminder and no <c>role: "system"</c>
    /// environment message inside <c>messages</c>. Off by default, so a run sends what Claude Code sends a real user (about 6.5 KB).
    /// </summary>
    public bool Bare { get; init; }

    /// <summary><c>--max-turns</c>: model requests before Claude Code gives up.</summary>
    public int MaxTurns { get; init; } = 4;

    /// <summary>The requests' <c>max_tokens</c> (CLAUDE_CODE_MAX_OUTPUT_TOKENS); Claude Code's own default (32000) when null.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>More environment variables for the run (set last: they override the ones above).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);
}
