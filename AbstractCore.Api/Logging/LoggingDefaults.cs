using Microsoft.Extensions.Configuration.Memory;

namespace AbstractCore.Api.Logging;

/// <summary>
/// The shipped log levels: Information for the gateway and the host, Warning for ASP.NET Core (whose per-request
/// lines would otherwise be four per request). Built in as the lowest-priority configuration rather than read from an
/// appsettings.json beside the content root, so they hold wherever the gateway is started from (the global tool and
/// <c>dotnet AbstractCore.Api.dll</c> from another directory have no such file there); the config file,
/// environment (<c>Logging__LogLevel__…</c>) and command line override them.
/// </summary>
public static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    public static void AddLoggingDefaults(this WebApplicationBuilder builder) =>
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
}
