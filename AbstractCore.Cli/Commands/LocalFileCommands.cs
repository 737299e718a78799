using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary>Local file paths in requests: <c>--set-server-media-root</c>, <c>--allow-server-local-files</c> and
/// <c>--disallow-server-local-files</c>.</summary>
internal static class LocalFileCommands
{
    /// <summary>An existing directory, stored as a full path; blank clears it.</summary>
    public static (Change?, string?) SetMediaRoot(string[] values, Func<string, string?> env)
    {
        var raw = values[0].Trim();
        if (raw.Length == 0)
        {
            return ServerSetting.Set(ConfigFileSettings.MediaRoot, null, "cleared", env);
        }

        string full;
        try
        {
            full = Path.GetFullPath(ConfigFile.ExpandHome(raw, env));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Change.Fail($"invalid media root '{raw}': {e.Message}");
        }

        return Directory.Exists(full)
            ? ServerSetting.Set(ConfigFileSettings.MediaRoot, full, $"set to {full}", env)
            : Change.Fail($"the media root '{raw}' is not an existing directory.");
    }

    public static (Change?, string?) AllowLocalFiles(string[] values, Func<string, string?> env) =>
        ServerSetting.Set(ConfigFileSettings.AllowLocalFiles, true, "set to true", env);

    public static (Change?, string?) DisallowLocalFiles(string[] values, Func<string, string?> env) =>
        ServerSetting.Set(ConfigFileSettings.AllowLocalFiles, false, "set to false", env);
}
