using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary><c>--list-api-keys</c>: each provider's key, masked, and where it comes from (env, file or not set).</summary>
internal static class ListApiKeysCommand
{
    public static void Write(ConfigFile file, Func<string, string?> env, TextWriter stdout)
    {
        stdout.WriteLine($"Provider API keys (environment wins over the config file {file.Path}):");
        var width = ConfigFileSettings.ApiKeys.Select(e => e.FileKey.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var entry in ConfigFileSettings.ApiKeys)
        {
            var fromEnv = env(entry.Setting)?.Trim();
            var fromFile = file.GetText(ConfigFileSettings.ApiKeysSection, entry.FileKey)?.Trim();
            string shown;
            if (!string.IsNullOrEmpty(fromEnv))
            {
                shown = $"{AbstractCoreCli.Mask(fromEnv),-14} env ({entry.Setting}){(fromFile is null ? "" : "; the file's key is overridden")}";
            }
            else if (!string.IsNullOrEmpty(fromFile))
            {
                shown = $"{AbstractCoreCli.Mask(fromFile),-14} file";
            }
            else
            {
                shown = "not set";
            }

            stdout.WriteLine($"  {entry.FileKey.PadRight(width)}{shown}");
        }

        var known = ConfigFileSettings.ApiKeys.Select(e => e.FileKey).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in file.Section(ConfigFileSettings.ApiKeysSection) ?? [])
        {
            if (!known.Contains(name) && ConfigFile.AsText(value) is { } other)
            {
                stdout.WriteLine($"  {name.PadRight(width)}{AbstractCoreCli.Mask(other),-14} file (not used by this gateway)");
            }
        }
    }
}
