using AbstractCore.Configuration;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Cli.Tests;

/// <summary>The file as seen by the gateway: its values under the setting names, always below every other source.</summary>
public sealed class ConfigFileSourceTests : IDisposable
{
    private const string FullFile = """
        {
          "api_keys": {
            "openai": "file-openai", "anthropic": "file-anthropic", "openrouter": "file-openrouter",
            "portkey": "file-portkey", "openai_compatible": "file-compatible", "vllm": "file-vllm", "google": "file-google"
          },
          "server": {
            "auth_token": "file-token", "base_url_allowlist": "https://a.example/v1", "url_fetch_allowlist": "https://f.example",
            "media_root": "/srv/media", "host": "0.0.0.0", "port": 9001,
            "allow_unauthenticated": true, "allow_local_files": false, "unknown": "x"
          },
          "vision": { "anything": 1 }
        }
        """;

    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    private IConfigurationBuilder FileSource(IConfigurationBuilder builder, StringWriter? warnings = null, params (string, string?)[] env) =>
        builder.AddAbstractCoreConfigFile(s =>
        {
            s.Environment = files.EnvironmentFunc(env);
            s.Warnings = warnings ?? new StringWriter();
        });

    [Fact]
    public void File_values_appear_under_the_gateway_setting_names()
    {
        files.WriteConfig(FullFile);

        var config = FileSource(new ConfigurationBuilder()).Build();

        var expected = new Dictionary<string, string>
        {
            ["OPENAI_API_KEY"] = "file-openai",
            ["ANTHROPIC_API_KEY"] = "file-anthropic",
            ["OPENROUTER_API_KEY"] = "file-openrouter",
            ["PORTKEY_API_KEY"] = "file-portkey",
            ["OPENAI_COMPATIBLE_API_KEY"] = "file-compatible",
            ["VLLM_API_KEY"] = "file-vllm",
            ["ABSTRACTCORE_AUTH_TOKEN"] = "file-token",
            ["ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST"] = "https://a.example/v1",
            ["ABSTRACTCORE_SERVER_URL_FETCH_ALLOWLIST"] = "https://f.example",
            ["ABSTRACTCORE_SERVER_MEDIA_ROOT"] = "/srv/media",
            ["HOST"] = "0.0.0.0",
            ["PORT"] = "9001",
            ["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"] = "true",
            ["ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES"] = "false",
        };
        Assert.Equal(
            expected.OrderBy(p => p.Key, StringComparer.Ordinal),
            config.AsEnumerable().Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, p.Value!)).OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(Flags.IsOn(config["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"]));
        Assert.False(Flags.IsOn(config["ABSTRACTCORE_SERVER_ALLOW_LOCAL_FILES"]));
    }

    [Fact]
    public void Env_beats_file_even_when_the_file_source_is_added_last()
    {
        files.WriteConfig(FullFile);
        var builder = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "env-openai",
            ["ABSTRACTCORE_AUTH_TOKEN"] = "env-token",
            ["PORT"] = "8000",
        });

        var config = FileSource(builder).Build();

        Assert.IsType<ConfigFileSource>(builder.Sources[0]);
        Assert.Equal("env-openai", config["OPENAI_API_KEY"]);
        Assert.Equal("env-token", config["ABSTRACTCORE_AUTH_TOKEN"]);
        Assert.Equal("8000", config["PORT"]);
        Assert.Equal("file-anthropic", config["ANTHROPIC_API_KEY"]);
        Assert.Equal("0.0.0.0", config["HOST"]);
    }

    [Fact]
    public void Real_environment_variables_beat_the_file()
    {
        files.WriteConfig(FullFile);
        var prefix = $"ACORE_CLI_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "VLLM_API_KEY", "real-env-vllm");
        try
        {
            var config = FileSource(new ConfigurationBuilder().AddEnvironmentVariables(prefix)).Build();

            Assert.Equal("real-env-vllm", config["VLLM_API_KEY"]);
            Assert.Equal("file-portkey", config["PORTKEY_API_KEY"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "VLLM_API_KEY", null);
        }
    }

    [Fact]
    public void On_a_configuration_manager_the_file_goes_below_what_is_already_there()
    {
        files.WriteConfig(FullFile);
        using var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?> { ["ABSTRACTCORE_AUTH_TOKEN"] = "env-token" });

        FileSource(manager);
        manager.AddInMemoryCollection(new Dictionary<string, string?> { ["VLLM_API_KEY"] = "cli-vllm" });

        Assert.IsType<ConfigFileSource>(((IConfigurationBuilder)manager).Sources[0]);
        Assert.Equal("env-token", manager["ABSTRACTCORE_AUTH_TOKEN"]);
        Assert.Equal("cli-vllm", manager["VLLM_API_KEY"]);
        Assert.Equal("file-openai", manager["OPENAI_API_KEY"]);
        Assert.Equal("9001", manager["PORT"]);
    }

    [Theory]
    [InlineData("URLS")]
    [InlineData("HTTP_PORTS")]
    [InlineData("ASPNETCORE_URLS")]
    public void Launcher_chosen_listen_urls_keep_the_file_host_and_port_out(string setting)
    {
        files.WriteConfig(FullFile);
        using var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?> { [setting] = "http://localhost:5123" });

        FileSource(manager);

        Assert.Null(manager["HOST"]);
        Assert.Null(manager["PORT"]);
        Assert.Equal("file-token", manager["ABSTRACTCORE_AUTH_TOKEN"]);
    }

    [Fact]
    public void The_disable_switch_in_the_environment_turns_the_file_off()
    {
        files.WriteConfig(FullFile);

        var config = FileSource(new ConfigurationBuilder(), env: ("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG", "1")).Build();

        Assert.DoesNotContain(config.AsEnumerable(), p => p.Value is not null);
    }

    [Fact]
    public void The_disable_switch_in_the_configuration_so_far_turns_the_file_off()
    {
        files.WriteConfig(FullFile);
        using var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?> { ["ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG"] = "true" });

        FileSource(manager);

        Assert.DoesNotContain(((IConfigurationBuilder)manager).Sources, s => s is ConfigFileSource);
        Assert.Null(manager["OPENAI_API_KEY"]);
    }

    [Fact]
    public void A_missing_file_is_empty()
    {
        var config = FileSource(new ConfigurationBuilder()).Build();

        Assert.Empty(config.AsEnumerable());
    }

    [Fact]
    public void A_corrupt_file_is_ignored_with_a_warning_and_left_alone()
    {
        files.WriteConfig("{\"server\": ");
        var warnings = new StringWriter();

        var config = FileSource(new ConfigurationBuilder(), warnings).Build();

        Assert.Empty(config.AsEnumerable());
        Assert.Contains(files.ConfigPath, warnings.ToString());
        Assert.Contains("not valid JSON", warnings.ToString());
        Assert.Equal("{\"server\": ", File.ReadAllText(files.ConfigPath));
    }

    [Fact]
    public void Blank_and_null_values_are_not_set()
    {
        files.WriteConfig("""{"api_keys":{"openai":"","vllm":null},"server":{"auth_token":"  ","base_url_allowlist":["https://a.example","https://b.example"]}}""");

        var config = FileSource(new ConfigurationBuilder()).Build();

        Assert.Null(config["OPENAI_API_KEY"]);
        Assert.Null(config["VLLM_API_KEY"]);
        Assert.Null(config["ABSTRACTCORE_AUTH_TOKEN"]);
        Assert.Equal("https://a.example,https://b.example", config["ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST"]);
    }

    [Fact]
    public void What_the_cli_writes_the_gateway_reads()
    {
        var env = files.Environment();
        Assert.Equal(0, AbstractCoreCli.Run(
            ["--set-api-key", "openai-compatible", "cli-key", "--set-server-auth-token", "cli-token", "--set-server-port", "8123"],
            TextWriter.Null, TextWriter.Null, env));

        var config = FileSource(new ConfigurationBuilder()).Build();

        Assert.Equal("cli-key", config["OPENAI_COMPATIBLE_API_KEY"]);
        Assert.Equal("cli-token", config["ABSTRACTCORE_AUTH_TOKEN"]);
        Assert.Equal("8123", config["PORT"]);
    }

    [Fact]
    public void The_documented_key_mapping()
    {
        var mapping = ConfigFileSettings.ApiKeys.ToDictionary(e => e.FileKey, e => e.Setting);

        Assert.Equal("OPENAI_API_KEY", mapping["openai"]);
        Assert.Equal("ANTHROPIC_API_KEY", mapping["anthropic"]);
        Assert.Equal("OPENROUTER_API_KEY", mapping["openrouter"]);
        Assert.Equal("PORTKEY_API_KEY", mapping["portkey"]);
        Assert.Equal("OPENAI_COMPATIBLE_API_KEY", mapping["openai_compatible"]);
        Assert.Equal("VLLM_API_KEY", mapping["vllm"]);
    }
}

public sealed class ConfigFilePathTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Config_file_beats_config_dir_beats_home()
    {
        var home = Path.GetFullPath("/tmp/acore-home");
        Assert.Equal(Path.GetFullPath("/tmp/x/file.json"),
            ConfigFile.ResolvePath(Env(("ABSTRACTCORE_CONFIG_FILE", "/tmp/x/file.json"), ("ABSTRACTCORE_CONFIG_DIR", "/tmp/d"), ("HOME", home))));
        Assert.Equal(Path.GetFullPath("/tmp/d/abstractcore.json"),
            ConfigFile.ResolvePath(Env(("ABSTRACTCORE_CONFIG_DIR", "/tmp/d"), ("HOME", home))));
        Assert.Equal(Path.Combine(home, ".abstractcore", "config", "abstractcore.json"),
            ConfigFile.ResolvePath(Env(("HOME", home))));
        Assert.Equal(Path.Combine(home, "cfg", "abstractcore.json"),
            ConfigFile.ResolvePath(Env(("ABSTRACTCORE_CONFIG_DIR", "~/cfg"), ("HOME", home))));
        Assert.Equal(Path.Combine(home, ".abstractcore", "config", "abstractcore.json"),
            ConfigFile.ResolvePath(Env(("ABSTRACTCORE_CONFIG_FILE", "  "), ("HOME", home))));
    }
}
