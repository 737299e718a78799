using System.Text.Json.Nodes;
using AbstractCore.Configuration;

namespace AbstractCore.Cli.Tests;

/// <summary>A private folder per test, with the config file inside it and an environment pointing at it.</summary>
public sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Root = Directory.CreateTempSubdirectory("acore-cli-").FullName;
        ConfigDir = Path.Combine(Root, "config");
        Home = Path.Combine(Root, "home");
        Directory.CreateDirectory(Home);
    }

    public string Root { get; }

    public string ConfigDir { get; }

    public string Home { get; }

    public string ConfigPath => Path.Combine(ConfigDir, ConfigFile.FileName);

    /// <summary>The environment the CLI sees: only these variables, nothing from the machine.</summary>
    public Dictionary<string, string?> Environment(params (string Name, string? Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            [ConfigFile.DirectoryVariable] = ConfigDir,
        };
        foreach (var (name, value) in extra)
        {
            env[name] = value;
        }

        return env;
    }

    public Func<string, string?> EnvironmentFunc(params (string Name, string? Value)[] extra)
    {
        var env = Environment(extra);
        return name => env.GetValueOrDefault(name);
    }

    public void WriteConfig(string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        Directory.CreateDirectory(ConfigDir);
        File.WriteAllText(ConfigPath, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ConfigPath, mode);
        }
    }

    public JsonObject ReadConfig() => (JsonObject)JsonNode.Parse(File.ReadAllText(ConfigPath))!;

    public static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? ConfigFile.Permissions : File.GetUnixFileMode(path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr);
