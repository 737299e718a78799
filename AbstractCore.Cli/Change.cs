using AbstractCore.Configuration;

namespace AbstractCore.Cli;

/// <summary>A validated change to the config file and the line printed once it is saved.</summary>
internal sealed record Change(Action<ConfigFile> Apply, string Message)
{
    public static (Change?, string?) Ok(Action<ConfigFile> apply, string message) => (new Change(apply, message), null);

    public static (Change?, string?) Fail(string error) => (null, error);
}
