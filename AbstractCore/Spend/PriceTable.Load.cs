using AbstractCore.Configuration;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Spend;

public sealed partial class PriceTable
{
    /// <summary>The operator's price file (a path; <c>~</c> is the home directory), in the format of the defaults.</summary>
    public const string FileSetting = "ABSTRACTCORE_PRICES_FILE";

    /// <summary>The config file's section holding operator prices (<c>{"models": {…}}</c>, as in the price file).</summary>
    public const string FileSection = "prices";

    private static readonly Lazy<PriceTable> BuiltIn = new(() => new(PriceFile.Defaults.Models));

    /// <summary>The built-in list prices alone.</summary>
    public static PriceTable Defaults => BuiltIn.Value;

    /// <summary>
    /// The built-in list prices overlaid, entry by entry, by the config file's <c>prices</c> section, then by the file
    /// <see cref="FileSetting"/> names; <c>"defaults": false</c> in either drops the built-in ones. A file that is
    /// missing or does not read is a startup error naming it and the fault (<see cref="FormatException"/>,
    /// <see cref="IOException"/>): a table that silently lost the operator's prices would bill at list prices.
    /// </summary>
    public static PriceTable Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? Setting(string name) => configuration[name] ?? Environment.GetEnvironmentVariable(name);

        // In the order they apply: a setting wins over the config file everywhere else too.
        PriceFile?[] overlays = [FromConfigFile(configuration, Setting), FromPriceFile(configuration[FileSetting], Setting)];
        var entries = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
        if (overlays.All(o => o?.KeepDefaults != false))
        {
            Overlay(entries, PriceFile.Defaults);
        }

        foreach (var overlay in overlays)
        {
            Overlay(entries, overlay);
        }

        return new PriceTable(entries);
    }

    private static void Overlay(Dictionary<string, ModelPrice> entries, PriceFile? file)
    {
        if (file is null)
        {
            return;
        }

        foreach (var (pattern, price) in file.Models)
        {
            entries[pattern] = price;
        }
    }

    private static PriceFile? FromPriceFile(string? path, Func<string, string?> setting)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        path = Path.GetFullPath(ConfigFile.ExpandHome(path.Trim(), setting));
        var source = $"The price file {path} ({FileSetting})";
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{source} cannot be read: {e.Message}", e);
        }

        return PriceFile.Parse(json, source);
    }

    /// <summary>The config file's <c>prices</c> section, read from the file as the capability defaults are: only the
    /// sections the settings name are mapped into the configuration. A config file that does not read was already
    /// reported, and ignored, by its configuration source; the gateway runs without it, and so do its prices.</summary>
    private static PriceFile? FromConfigFile(IConfiguration configuration, Func<string, string?> setting)
    {
        if (Flags.IsOn(configuration[ConfigFileSettings.DisableVariable]))
        {
            return null;
        }

        ConfigFile file;
        try
        {
            file = ConfigFile.Load(ConfigFile.ResolvePath(setting));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return file.Root[FileSection] is { } section
            ? PriceFile.Parse(section.ToJsonString(), $"The config file {file.Path}, section \"{FileSection}\"")
            : null;
    }
}
