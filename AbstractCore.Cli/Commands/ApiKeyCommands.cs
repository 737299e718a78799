using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary><c>--set-api-key PROVIDER KEY</c> and <c>--clear-api-key PROVIDER</c>: the <c>api_keys</c> section.</summary>
internal static class ApiKeyCommands
{
    public static (Change?, string?) Set(string[] values, Func<string, string?> env)
    {
        var entry = ConfigFileSettings.FindApiKey(values[0]);
        if (entry is null)
        {
            return UnknownProvider(values[0]);
        }

        var key = values[1].Trim();
        if (key.Length == 0)
        {
            return Change.Fail($"the key for {entry.FileKey} is empty; use --clear-api-key {entry.FileKey} to remove it.");
        }

        return Change.Ok(
            f => f.EnsureSection(ConfigFileSettings.ApiKeysSection)[entry.FileKey] = key,
            $"api_keys.{entry.FileKey} set ({AbstractCoreCli.Mask(key)}).{ServerSetting.EnvNote(entry.Setting, env)}");
    }

    public static (Change?, string?) Clear(string[] values, Func<string, string?> env)
    {
        var entry = ConfigFileSettings.FindApiKey(values[0]);
        return entry is null
            ? UnknownProvider(values[0])
            : Change.Ok(f => f.Section(ConfigFileSettings.ApiKeysSection)?.Remove(entry.FileKey),
                $"api_keys.{entry.FileKey} cleared.{ServerSetting.EnvNote(entry.Setting, env)}");
    }

    private static (Change?, string?) UnknownProvider(string provider) =>
        Change.Fail($"unknown provider '{provider}'. Known providers: {CliOptions.KnownProviders}.");
}
