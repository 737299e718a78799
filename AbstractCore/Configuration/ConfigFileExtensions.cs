using AbstractCore;
using AbstractCore.Configuration;

namespace Microsoft.Extensions.Configuration;

public static class AbstractCoreConfigFileExtensions
{
    private static readonly string[] ListenUrlSettings =
        ["URLS", "HTTP_PORTS", "HTTPS_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS"];

    /// <summary>
    /// Adds the persisted config file (<c>~/.abstractcore/config/abstractcore.json</c>, or
    /// <c>ABSTRACTCORE_CONFIG_FILE</c> / <c>ABSTRACTCORE_CONFIG_DIR</c>) as the LOWEST-priority source (index 0),
    /// so environment variables, appsettings and the command line always win over it.
    /// Not added when <c>ABSTRACTCORE_SERVER_DISABLE_CENTRALIZED_CONFIG</c> is on (environment or configuration so far).
    /// When the configuration so far already names listen URLs (<c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c>…,
    /// as Aspire and launch profiles set them), the file's <c>host</c>/<c>port</c> are left out so they don't move
    /// the server off the address its launcher chose; <c>HOST</c>/<c>PORT</c> in the environment still apply.
    /// </summary>
    public static IConfigurationBuilder AddAbstractCoreConfigFile(
        this IConfigurationBuilder builder, Action<ConfigFileSource>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var source = new ConfigFileSource();
        if (builder is IConfiguration current)
        {
            if (Flags.IsOn(current[ConfigFileSettings.DisableVariable]))
            {
                return builder;
            }

            source.IncludeListenAddress = !ListenUrlSettings.Any(s => !string.IsNullOrWhiteSpace(current[s]));
        }

        configure?.Invoke(source);
        builder.Sources.Insert(0, source);
        return builder;
    }
}
