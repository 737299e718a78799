using System.Text;

namespace AbstractCore.Cli;

/// <summary>The text <c>abstractcore --help</c> prints (and usage errors, on stderr).</summary>
internal static class UsageText
{
    public static string Text { get; } = Build();

    private static string Build()
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: abstractcore [options]");
        text.AppendLine("       dotnet run --project AbstractCore.Api -- [options]");
        text.AppendLine();
        text.AppendLine("Writes provider keys and server settings to the AbstractCore config file:");
        text.AppendLine("  ABSTRACTCORE_CONFIG_FILE, else $ABSTRACTCORE_CONFIG_DIR/abstractcore.json, else ~/.abstractcore/config/abstractcore.json");
        text.AppendLine("The file is rewritten atomically with mode 0600. Environment variables always win over it;");
        text.AppendLine("ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG=1 makes the server ignore it.");
        text.AppendLine();
        text.AppendLine("Options:");
        var rows = CliOptions.All.Select(o => (Left: string.Join(" ", [o.Name, .. o.Arguments]), Help: o.Help.Replace("{providers}", CliOptions.KnownProviders, StringComparison.Ordinal))).ToArray();
        var width = rows.Max(r => r.Left.Length) + 2;
        foreach (var (left, help) in rows)
        {
            text.Append("  ").Append(left.PadRight(width)).AppendLine(help);
        }

        text.AppendLine();
        text.AppendLine("Several options can be combined; nothing is written unless all of them are valid.");
        text.AppendLine("Exit codes: 0 done, 1 the file could not be read or written, 2 bad usage or an invalid value.");
        text.AppendLine();
        text.AppendLine("Starting the server (AbstractCore.Api) takes --host HOST, --port PORT and --debug instead.");
        return text.ToString();
    }
}
