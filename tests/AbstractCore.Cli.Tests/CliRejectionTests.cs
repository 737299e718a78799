namespace AbstractCore.Cli.Tests;

/// <summary>Invalid values and bad usage: exit code 2, a clear message, and the file exactly as it was.</summary>
public sealed class CliRejectionTests : IDisposable
{
    private const string Existing = """
        {
          "server": { "port": 8000, "host": "127.0.0.1" },
          "api_keys": { "openai": "sk-existing" },
          "other": { "kept": true }
        }
        """;

    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private CliResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = AbstractCoreCli.Run(args, stdout, stderr, files.Environment());
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string[], string> BadValues => new()
    {
        { ["--set-server-port", "70000"], "invalid port '70000'" },
        { ["--set-server-port", "0"], "invalid port '0'" },
        { ["--set-server-port", "abc"], "invalid port 'abc'" },
        { ["--set-server-port", "-1"], "invalid port '-1'" },
        { ["--set-server-port", "80.5"], "invalid port '80.5'" },
        { ["--set-server-port=99999"], "invalid port '99999'" },
        { ["--set-api-key", "nosuch", "key"], "unknown provider 'nosuch'. Known providers: openai, openai_compatible, vllm" },
        { ["--set-api-key", "google", "key"], "unknown provider 'google'" },
        { ["--set-api-key", "openai", "   "], "use --clear-api-key openai" },
        { ["--clear-api-key", "nosuch"], "unknown provider 'nosuch'" },
        { ["--set-server-auth-token", ""], "use --clear-server-auth-token" },
        { ["--set-server-media-root", "/definitely/not/here/acore"], "is not an existing directory" },
        { ["--set-server-host", "not a host"], "invalid host 'not a host'" },
        { ["--set-server-base-url-allowlist", "ftp://files.example.com"], "only http and https" },
        { ["--set-server-base-url-allowlist", "https://user:pw@example.com"], "user info" },
        { ["--set-server-url-fetch-allowlist", "example.com/path"], "invalid url_fetch_allowlist entry 'example.com/path'" },
        { ["--bogus"], "unknown option '--bogus'" },
        { ["--set-server-colour", "red"], "unknown option '--set-server-colour'" },
        { ["--list-api-keys", "stray"], "unexpected argument 'stray'" },
        { ["--set-server-port"], "--set-server-port needs PORT" },
        { ["--set-api-key", "openai"], "--set-api-key needs PROVIDER KEY" },
        { ["--set-server-host", "--set-server-port", "9000"], "--set-server-host needs HOST" },
        // One bad value spoils the whole invocation: the valid host is not written either.
        { ["--set-server-host", "0.0.0.0", "--set-server-port", "70000"], "invalid port '70000'" },
        { ["--set-api-key", "openai", "sk-new", "--set-api-key", "nope", "x"], "unknown provider 'nope'" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_values_leave_the_file_untouched(string[] args, string message)
    {
        files.WriteConfig(Existing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var before = File.ReadAllBytes(files.ConfigPath);
        var modeBefore = TestFiles.ModeOf(files.ConfigPath);
        var timeBefore = File.GetLastWriteTimeUtc(files.ConfigPath);

        var result = Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Equal(before, File.ReadAllBytes(files.ConfigPath));
        Assert.Equal(modeBefore, TestFiles.ModeOf(files.ConfigPath));
        Assert.Equal(timeBefore, File.GetLastWriteTimeUtc(files.ConfigPath));
        Assert.Equal([files.ConfigPath], Directory.GetFiles(files.ConfigDir));
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_values_do_not_create_the_file(string[] args, string message)
    {
        var result = Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.False(File.Exists(files.ConfigPath));
        Assert.False(Directory.Exists(files.ConfigDir));
    }

    [Fact]
    public void Usage_errors_print_the_usage_on_stderr()
    {
        var result = Run("--frobnicate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: abstractcore", result.Stderr);
    }

    [Fact]
    public void No_arguments_is_a_usage_error()
    {
        var result = Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: abstractcore", result.Stderr);
        Assert.False(File.Exists(files.ConfigPath));
    }

    [Fact]
    public void The_server_flags_are_not_cli_flags()
    {
        var result = Run("--port", "8000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown option '--port'", result.Stderr);
    }
}
