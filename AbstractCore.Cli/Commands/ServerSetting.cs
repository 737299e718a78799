using System.Text.Json.Nodes;
using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary>Writing one <c>server.*</c> key, and the note when the environment overrides what is written.</summary>
internal static class ServerSetting
{
    /// <summary>Sets <paramref name="key"/> in the <c>server</c> section, or removes it when <paramref name="value"/>
    /// is null; prints <c>server.KEY WHAT.</c></summary>
    public static (Change?, string?) Set(string key, JsonNode? value, string what, Func<string, string?> env)
    {
        var setting = ConfigFileSettings.Server.First(e => e.FileKey == key).Setting;
        return Change.Ok(
            f =>
            {
                if (value is null)
                {
                    f.Section(ConfigFileSettings.ServerSection)?.Remove(key);
                }
                else
                {
                    f.EnsureSection(ConfigFileSettings.ServerSection)[key] = value;
                }
            },
            $"server.{key} {what}.{EnvNote(setting, env)}");
    }

    /// <summary>Empty, or a note that the environment variable <paramref name="setting"/> takes precedence.</summary>
    public static string EnvNote(string setting, Func<string, string?> env) =>
        string.IsNullOrWhiteSpace(env(setting))
            ? ""
            : $" Note: {setting} is set in the environment and takes precedence over the file.";
}
