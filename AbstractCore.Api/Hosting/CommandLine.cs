namespace AbstractCore.Api.Hosting;

/// <summary><c>--host</c>, <c>--port</c> and <c>--debug</c>, as the original server's CLI takes them.</summary>
internal static class CommandLine
{
    /// <summary>A bare <c>--debug</c> (no value) becomes <c>--ABSTRACTCORE_DEBUG=true</c>.</summary>
    public static string[] Normalize(string[] args) =>
        [.. args.Select((a, i) => a == "--debug" && (i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            ? "--ABSTRACTCORE_DEBUG=true" : a)];

    /// <summary>
    /// HOST/PORT (or --host/--port) decide where Kestrel listens; without them and without ASPNETCORE_URLS
    /// (which Aspire sets) the gateway listens on 127.0.0.1:8000 like the original's CLI.
    /// </summary>
    public static void ConfigureListenAddress(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (Flags.IsOn(config["ABSTRACTCORE_DEBUG"]))
        {
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        }

        var host = config["HOST"];
        var port = config["PORT"];
        if (host is null && port is null && (config["URLS"] is not null || config["HTTP_PORTS"] is not null))
        {
            return; // the host (Aspire, a container) chose the address
        }

        builder.WebHost.UseUrls($"http://{host ?? "127.0.0.1"}:{port ?? "8000"}");
    }
}
