using Microsoft.Extensions.Configuration;

namespace AbstractCore.Configuration;

/// <summary>
/// The persisted config file (<see cref="ConfigFile"/>) as a configuration source, exposing its values under the
/// names the gateway reads (<c>OPENAI_API_KEY</c>, <c>ABSTRACTCORE_AUTH_TOKEN</c>, <c>HOST</c>, …; see
/// <see cref="ConfigFileSettings"/>). Added first, so that every other source wins over it.
/// </summary>
public sealed class ConfigFileSource : IConfigurationSource
{
    private int warned;

    /// <summary>The file; null resolves it from <see cref="Environment"/> when loading.</summary>
    public string? Path { get; set; }

    /// <summary>Where the path and the disable switch are read from (the process environment by default).</summary>
    public Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Whether <c>server.host</c>/<c>server.port</c> are exposed as <c>HOST</c>/<c>PORT</c>.</summary>
    public bool IncludeListenAddress { get; set; } = true;

    /// <summary>Where a problem with the file is reported (standard error by default), once per source.</summary>
    public TextWriter? Warnings { get; set; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new ConfigFileProvider(this);

    internal void Warn(string message)
    {
        if (Interlocked.Exchange(ref warned, 1) == 0)
        {
            (Warnings ?? Console.Error).WriteLine(message);
        }
    }
}

/// <summary>Reads the file once per load; a missing file is empty, an unusable one is empty with a warning.</summary>
internal sealed class ConfigFileProvider(ConfigFileSource source) : ConfigurationProvider
{
    public override void Load()
    {
        Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (Flags.IsOn(source.Environment(ConfigFileSettings.DisableVariable)))
        {
            return;
        }

        var path = source.Path ?? "(unresolved)";
        ConfigFile file;
        try
        {
            path = source.Path ?? ConfigFile.ResolvePath(source.Environment);
            file = ConfigFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            source.Warn($"abstractcore: cannot read the config file {path} ({e.Message}); ignoring it.");
            return;
        }

        if (file.Problem is not null)
        {
            source.Warn($"abstractcore: ignoring the config file {path}: {file.Problem}. " +
                "Rewrite it with the abstractcore CLI (the unusable file is then backed up).");
            return;
        }

        Data = ConfigFileSettings.ToSettings(file, source.IncludeListenAddress);
    }
}
