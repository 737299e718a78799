namespace AbstractCore.Cli.Tests;

public sealed class ListApiKeysTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private static CliResult Run(Dictionary<string, string?> env, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = AbstractCoreCli.Run(args, stdout, stderr, env);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    private static string LineFor(string output, string provider) =>
        output.Split('\n').Single(l => l.TrimStart().StartsWith(provider + " ", StringComparison.Ordinal));

    [Fact]
    public void Keys_are_masked_and_their_source_is_named_with_env_beating_the_file()
    {
        files.WriteConfig("""
            {"api_keys": {
              "openai": "sk-file-openai-key-1111",
              "anthropic": "sk-ant-file-key-2222",
              "vllm": "short",
              "google": "g-file-key-0000000000"
            }}
            """);
        var env = files.Environment(
            ("OPENAI_API_KEY", "sk-env-openai-key-9999"),
            ("OPENROUTER_API_KEY", "sk-or-env-key-8888"));
        var before = File.ReadAllBytes(files.ConfigPath);

        var result = Run(env, "--list-api-keys");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var output = result.Stdout;
        Assert.Contains(files.ConfigPath, output);
        Assert.Contains("sk-...9999", LineFor(output, "openai"));
        Assert.Contains("env (OPENAI_API_KEY)", LineFor(output, "openai"));
        Assert.Contains("overridden", LineFor(output, "openai"));
        Assert.Contains("sk-...2222", LineFor(output, "anthropic"));
        Assert.EndsWith("file", LineFor(output, "anthropic").TrimEnd());
        Assert.Contains("sk-...8888", LineFor(output, "openrouter"));
        Assert.Contains("env (OPENROUTER_API_KEY)", LineFor(output, "openrouter"));
        Assert.Contains("****", LineFor(output, "vllm"));
        Assert.EndsWith("not set", LineFor(output, "portkey").TrimEnd());
        Assert.EndsWith("not set", LineFor(output, "openai_compatible").TrimEnd());
        Assert.Contains("not used by this gateway", LineFor(output, "google"));
        foreach (var secret in new[] { "sk-file-openai-key-1111", "sk-env-openai-key-9999", "sk-ant-file-key-2222", "short", "sk-or-env-key-8888", "g-file-key-0000000000" })
        {
            Assert.DoesNotContain(secret, output);
        }

        Assert.Equal(before, File.ReadAllBytes(files.ConfigPath));
    }

    [Fact]
    public void Listing_without_a_file_does_not_create_one()
    {
        var result = Run(files.Environment(), "--list-api-keys");

        Assert.Equal(0, result.ExitCode);
        Assert.EndsWith("not set", LineFor(result.Stdout, "openai").TrimEnd());
        Assert.False(Directory.Exists(files.ConfigDir));
    }

    [Fact]
    public void Listing_a_corrupt_file_warns_and_leaves_it_alone()
    {
        files.WriteConfig("not json at all");

        var result = Run(files.Environment(), "--list-api-keys");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("read as empty", result.Stderr);
        Assert.Equal("not json at all", File.ReadAllText(files.ConfigPath));
        Assert.Single(Directory.GetFiles(files.ConfigDir));
    }

    [Fact]
    public void Setting_a_key_that_the_environment_overrides_says_so()
    {
        var result = Run(files.Environment(("ANTHROPIC_API_KEY", "from-env")), "--set-api-key", "anthropic", "sk-ant-0123456789abcd", "--list-api-keys");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("ANTHROPIC_API_KEY is set in the environment and takes precedence", result.Stdout);
        Assert.Contains("env (ANTHROPIC_API_KEY)", LineFor(result.Stdout, "anthropic"));
    }

    [Theory]
    [InlineData("sk-proj-abcdefghijklmnop1234", "sk-...1234")]
    [InlineData("0123456789abcdef", "012...cdef")]
    [InlineData("0123456789abcde", "****")]
    [InlineData("", "****")]
    public void Mask(string secret, string shown) => Assert.Equal(shown, AbstractCoreCli.Mask(secret));
}
