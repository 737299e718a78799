using System.Globalization;
using System.Text.Json;
using AbstractCore.Configuration;

namespace AbstractCore.Api.Spend;

/// <summary>
/// <c>spend.json</c>, the standalone gateway's ledger: in the AbstractCore home beside the config file's folder
/// (<c>~/.abstractcore/spend/spend.json</c>), or, when <c>ABSTRACTCORE_CONFIG_FILE</c> or <c>ABSTRACTCORE_CONFIG_DIR</c>
/// moves the config file, in <c>spend/</c> beside it. Rewritten whole through a temporary file and a rename, so a crash
/// mid-write leaves the previous file.
/// </summary>
internal static partial class SpendFile
{
    public const string FileName = "spend.json";

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;

    /// <summary>The file, or null (memory only) when the server may not use the home
    /// (<c>ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG</c>), as for the capability defaults the config file holds.</summary>
    public static string? Resolve(Func<string, string?> setting)
    {
        if (Flags.IsOn(setting(ConfigFileSettings.DisableVariable)))
        {
            return null;
        }

        var moved = !string.IsNullOrWhiteSpace(setting(ConfigFile.FileVariable)) || !string.IsNullOrWhiteSpace(setting(ConfigFile.DirectoryVariable));
        var home = moved
            ? Path.GetDirectoryName(ConfigFile.ResolvePath(setting))!
            : Path.Combine(ConfigFile.ExpandHome("~", setting), ".abstractcore");
        return Path.Combine(home, "spend", FileName);
    }

    /// <summary>The file's rows; null when it does not exist. A file that is not the ledger's JSON is moved aside
    /// (<c>spend.json.corrupt-{time}.bak</c>) rather than overwritten, and the ledger starts empty.</summary>
    public static SpendFileContent? Read(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, SpendJsonContext.Default.SpendFileContent);
        }
        catch (JsonException e)
        {
            var backup = $"{path}.corrupt-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.bak";
            File.Move(path, backup, overwrite: true);
            LogCorrupt(logger, path, e.Message, backup);
            return null;
        }
    }

    public static void Write(string path, SpendFileContent content)
    {
        var dir = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
        }
        else
        {
            Directory.CreateDirectory(dir, DirectoryMode);
        }

        var temp = Path.Combine(dir, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode;
            }

            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, content, SpendJsonContext.Default.SpendFileContent);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spend: {Path} is not the spend ledger's JSON ({Reason}); it was moved to {Backup} and the ledger starts empty")]
    private static partial void LogCorrupt(ILogger logger, string path, string reason, string backup);
}
