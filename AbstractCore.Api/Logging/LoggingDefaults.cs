using Microsoft.Extensions.Configuration.Memory;

namespace AbstractCore.Api.Logging;

/// <summary>
/// The shipped log levels: Information for the gateway and the host, Warning for ASP.NET Core (whose per-request
/// lines would otherwise be four per request), and none from its hosting diagnostics: while that category is on,
/// ASP.NET Core starts an <see cref="System.Diagnostics.Activity"/> for every request (so log lines can carry a trace id)
/// and HttpClient a child of it with a <c>traceparent</c> header for the upstream, which nobody reads unless tracing is
/// exported (OTEL_EXPORTER_OTLP_ENDPOINT, which starts them anyway); at Warning the category only ever says that
/// <c>URLS</c> overrides <c>HTTP_PORTS</c>, and the gateway logs where it listens itself. Built in as the lowest-priority configuration rather than read from an
/// appsettings.json beside the content root, so they hold wherever the gateway is started from (the global tool and
/// <c>dotnet AbstractCore.Api.dll</c> from another directory have no such file there); the config file,
/// environment (<c>Logging__LogLevel__…</c>) and command line override them.
/// </summary>
internal static class LoggingDefaults
{
    private static readonly Dictionary<string, string?> Levels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
    };

    public static void AddLoggingDefaults(this WebApplicationBuilder builder) =>
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
}
