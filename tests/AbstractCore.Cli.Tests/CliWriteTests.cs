using System.Text.Json.Nodes;
using AbstractCore.Configuration;

namespace AbstractCore.Cli.Tests;

public sealed class CliWriteTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private CliResult Run(params string[] args) => RunWith(files.Environment(), args);

    private static CliResult RunWith(IDictionary<string, string?> env, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = AbstractCoreCli.Run(args, stdout, stderr, env);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static TheoryData<string[], string, string, string> EachFlag => new()
    {
        { ["--set-api-key", "openai", "sk-openai-0123456789abcd"], "api_keys", "openai", "\"sk-openai-0123456789abcd\"" },
        { ["--set-api-key", "anthropic", "sk-ant-0123456789wxyz"], "api_keys", "anthropic", "\"sk-ant-0123456789wxyz\"" },
        { ["--set-api-key", "openrouter", "sk-or-0123456789"], "api_keys", "openrouter", "\"sk-or-0123456789\"" },
        { ["--set-api-key", "portkey", "pk_0123456789"], "api_keys", "portkey", "\"pk_0123456789\"" },
        { ["--set-api-key", "openai-compatible", "local-key"], "api_keys", "openai_compatible", "\"local-key\"" },
        { ["--set-api-key", "openai_compatible", "local-key"], "api_keys", "openai_compatible", "\"local-key\"" },
        { ["--set-api-key", "vllm", "  vllm-key  "], "api_keys", "vllm", "\"vllm-key\"" },
        { ["--set-api-key", "azure", "azure-key-0123456789"], "api_keys", "azure", "\"azure-key-0123456789\"" },
        { ["--set-server-auth-token", "acore-server-secret"], "server", "auth_token", "\"acore-server-secret\"" },
        { ["--set-server-base-url-allowlist", " https://example.com/v1 , *.example.org,,"], "server", "base_url_allowlist", "\"https://example.com/v1,*.example.org\"" },
        { ["--set-server-url-fetch-allowlist", "https://files.example.com"], "server", "url_fetch_allowlist", "\"https://files.example.com\"" },
        { ["--set-server-host", "0.0.0.0"], "server", "host", "\"0.0.0.0\"" },
        { ["--set-server-host", "::1"], "server", "host", "\"[::1]\"" },
        { ["--set-server-port", "9000"], "server", "port", "9000" },
        { ["--set-server-port=8123"], "server", "port", "8123" },
        { ["--allow-unauthenticated-server"], "server", "allow_unauthenticated", "true" },
        { ["--disallow-server-local-files"], "server", "allow_local_files", "false" },
    };

    [Theory]
    [MemberData(nameof(EachFlag))]
    public void Each_flag_writes_the_file_with_mode_0600(string[] args, string section, string key, string expectedJson)
    {
        var result = Run(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(files.ConfigPath));
        var config = files.ReadConfig();
        Assert.Equal(expectedJson, config[section]![key]!.ToJsonString());
        Assert.Single(config);
        Assert.Contains(files.ConfigPath, result.Stdout);
        Assert.Equal([files.ConfigPath], Directory.GetFiles(files.ConfigDir));
    }

    [Fact]
    public void The_file_is_indented_json_with_two_spaces()
    {
        Assert.Equal(0, Run("--set-api-key", "openai", "sk-openai-0123456789abcd", "--set-server-port", "8000").ExitCode);

        Assert.Equal(
            "{\n  \"api_keys\": {\n    \"openai\": \"sk-openai-0123456789abcd\"\n  },\n  \"server\": {\n    \"port\": 8000\n  }\n}\n",
            File.ReadAllText(files.ConfigPath).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Media_root_must_be_an_existing_directory_and_is_stored_absolute()
    {
        var media = Directory.CreateDirectory(Path.Combine(files.Root, "media")).FullName;

        var result = Run("--set-server-media-root", media);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(media, (string?)files.ReadConfig()["server"]!["media_root"]);
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(files.ConfigPath));
    }

    [Fact]
    public void Media_root_with_a_tilde_is_under_home()
    {
        Directory.CreateDirectory(Path.Combine(files.Home, "media"));

        Assert.Equal(0, Run("--set-server-media-root", "~/media").ExitCode);

        Assert.Equal(Path.Combine(files.Home, "media"), (string?)files.ReadConfig()["server"]!["media_root"]);
    }

    [Fact]
    public void Secrets_are_never_printed_in_full()
    {
        const string Key = "sk-proj-verysecretvalue-abcd";
        const string Token = "server-token-secret-wxyz";

        var result = Run("--set-api-key", "openai", Key, "--set-server-auth-token", Token);

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(Key, result.Stdout + result.Stderr);
        Assert.DoesNotContain(Token, result.Stdout + result.Stderr);
        Assert.Contains("sk-...abcd", result.Stdout);
        Assert.Contains("ser...wxyz", result.Stdout);
    }

    [Fact]
    public void Unknown_sections_and_keys_survive_a_rewrite_and_the_mode_is_tightened()
    {
        files.WriteConfig("""
            {
              "vision": { "strategy": "two_stage", "caption_provider": "ollama" },
              "api_keys": { "openai": "old", "google": "g-key" },
              "server": { "auth_token": "keep-me", "future_flag": [1, 2, 3] },
              "timeouts": { "default_timeout": 7200, "tool_timeout": 600 },
              "audio_strategy_explicit": true
            }
            """, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Equal(0, Run("--set-api-key", "openai", "new-openai-key-0000").ExitCode);

        var config = files.ReadConfig();
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(files.ConfigPath));
        Assert.Equal("new-openai-key-0000", (string?)config["api_keys"]!["openai"]);
        Assert.Equal("g-key", (string?)config["api_keys"]!["google"]);
        Assert.Equal("keep-me", (string?)config["server"]!["auth_token"]);
        Assert.Equal("[1,2,3]", config["server"]!["future_flag"]!.ToJsonString());
        Assert.Equal("""{"strategy":"two_stage","caption_provider":"ollama"}""", config["vision"]!.ToJsonString());
        Assert.Equal(7200, (int)config["timeouts"]!["default_timeout"]!);
        Assert.True((bool)config["audio_strategy_explicit"]!);
    }

    [Fact]
    public void Clearing_removes_only_that_value()
    {
        files.WriteConfig("""{"server":{"auth_token":"t","host":"127.0.0.1","base_url_allowlist":"https://a.example"},"api_keys":{"openai":"k","vllm":"v"}}""");

        var result = Run("--clear-server-auth-token", "--set-server-base-url-allowlist", " ", "--clear-api-key", "openai");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""{"server":{"host":"127.0.0.1"},"api_keys":{"vllm":"v"}}""", files.ReadConfig().ToJsonString());
    }

    [Fact]
    public void The_config_folder_is_created_private()
    {
        Assert.False(Directory.Exists(files.ConfigDir));

        Assert.Equal(0, Run("--set-server-port", "8000").ExitCode);

        Assert.True(File.Exists(files.ConfigPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(files.ConfigDir));
        }
    }

    [Fact]
    public void Default_path_is_under_home()
    {
        var env = new Dictionary<string, string?> { ["HOME"] = files.Home };

        Assert.Equal(0, RunWith(env, "--set-server-port", "8001").ExitCode);

        var path = Path.Combine(files.Home, ".abstractcore", "config", "abstractcore.json");
        Assert.Equal(8001, (int)((JsonObject)JsonNode.Parse(File.ReadAllText(path))!)["server"]!["port"]!);
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(path));
    }

    [Fact]
    public void Config_file_variable_wins_over_config_dir()
    {
        var explicitFile = Path.Combine(files.Root, "elsewhere", "custom.json");
        var env = files.Environment((ConfigFile.FileVariable, explicitFile));

        Assert.Equal(0, RunWith(env, "--set-server-host", "localhost").ExitCode);

        Assert.True(File.Exists(explicitFile));
        Assert.False(File.Exists(files.ConfigPath));
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(explicitFile));
    }

    [Fact]
    public void A_symlinked_file_is_updated_where_it_points()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var real = Path.Combine(files.Root, "real.json");
        File.WriteAllText(real, """{"server":{"host":"localhost"}}""");
        Directory.CreateDirectory(files.ConfigDir);
        File.CreateSymbolicLink(files.ConfigPath, real);

        Assert.Equal(0, Run("--set-server-port", "8002").ExitCode);

        Assert.NotNull(new FileInfo(files.ConfigPath).LinkTarget);
        Assert.Equal("""{"server":{"host":"localhost","port":8002}}""", JsonNode.Parse(File.ReadAllText(real))!.ToJsonString());
    }

    [Fact]
    public void A_corrupt_file_is_backed_up_and_replaced()
    {
        files.WriteConfig("{ this is not json");

        var result = Run("--set-server-port", "8000");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("not valid JSON", result.Stderr);
        Assert.Equal("""{"server":{"port":8000}}""", files.ReadConfig().ToJsonString());
        var backup = Assert.Single(Directory.GetFiles(files.ConfigDir, "abstractcore.json.corrupt-*.bak"));
        Assert.Equal("{ this is not json", File.ReadAllText(backup));
        Assert.Equal(OwnerOnly, TestFiles.ModeOf(backup));
        Assert.Contains(backup, result.Stderr);
    }

    [Fact]
    public void A_json_array_file_counts_as_corrupt()
    {
        files.WriteConfig("[1, 2]");

        var result = Run("--set-server-host", "127.0.0.1");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("not a JSON object", result.Stderr);
        Assert.Single(Directory.GetFiles(files.ConfigDir, "*.bak"));
    }

    [Fact]
    public void Help_prints_every_flag_and_exits_0()
    {
        var result = Run("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var flag in new[]
        {
            "--set-api-key PROVIDER KEY", "--list-api-keys", "--set-server-auth-token", "--clear-server-auth-token",
            "--set-server-base-url-allowlist", "--set-server-url-fetch-allowlist", "--set-server-media-root",
            "--set-server-host", "--set-server-port", "--help", "openai_compatible",
        })
        {
            Assert.Contains(flag, result.Stdout);
        }

        Assert.False(File.Exists(files.ConfigPath));
        Assert.Equal(0, Run("-h").ExitCode);
    }
}
