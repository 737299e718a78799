using AbstractCore.Configuration;

namespace AbstractCore.Cli.Commands;

/// <summary>The server's own auth: <c>--set-server-auth-token</c>, <c>--clear-server-auth-token</c>,
/// <c>--allow-unauthenticated-server</c> and <c>--disallow-unauthenticated-server</c>.</summary>
internal static class ServerAuthCommands
{
    public static (Change?, string?) SetToken(string[] values, Func<string, string?> env)
    {
        var token = values[0].Trim();
        return token.Length == 0
            ? Change.Fail("the server auth token is empty; use --clear-server-auth-token to remove it.")
            : ServerSetting.Set(ConfigFileSettings.AuthToken, token, $"set ({AbstractCoreCli.Mask(token)})", env);
    }

    public static (Change?, string?) ClearToken(string[] values, Func<string, string?> env) =>
        ServerSetting.Set(ConfigFileSettings.AuthToken, null, "cleared", env);

    public static (Change?, string?) AllowUnauthenticated(string[] values, Func<string, string?> env) =>
        ServerSetting.Set(ConfigFileSettings.AllowUnauthenticated, true, "set to true", env);

    public static (Change?, string?) DisallowUnauthenticated(string[] values, Func<string, string?> env) =>
        ServerSetting.Set(ConfigFileSettings.AllowUnauthenticated, false, "set to false", env);
}
