using AbstractCore.Configuration;
using AbstractCore.Providers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AbstractCore.Api.Hosting;

/// <summary>
/// What an operator needs at startup, in a few lines of our own category (so the <c>Microsoft.AspNetCore: Warning</c>
/// default does not hide them): where the gateway listens, which providers are set up (names only, never keys), which
/// config file is read, which model aliases are served (deployment names only), and one Warning when server auth is neither configured nor explicitly waived.
/// </summary>
internal static partial class StartupLog
{
    public const string Category = "AbstractCore.Api.Startup";

    public static void LogStartup(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() => Write(app));

    private static void Write(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        var settings = app.Services.GetRequiredService<GatewaySettings>();
        var resolver = app.Services.GetRequiredService<ProviderResolver>();

        var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is { Count: > 0 })
        {
            LogListening(logger, string.Join(", ", addresses));
        }

        var configured = ProviderCatalog.All.Where(resolver.IsConfigured).Select(p => p.Name).ToList();
        LogProviders(logger, configured.Count > 0 ? string.Join(", ", configured) : "none (set a provider's key or base URL variable)");

        var aliases = app.Services.GetRequiredService<AbstractCore.Aliases.ModelAliases>();
        if (!aliases.IsEmpty)
        {
            LogAliases(logger, string.Join("; ", aliases.All.Select(a => $"{a.Name} → {string.Join(", ", a.Deployments.Select(d => d.Name))}")));
        }

        var file = (app.Configuration as IConfigurationBuilder)?.Sources.OfType<ConfigFileSource>().FirstOrDefault();
        if (file is null)
        {
            LogNoConfigFile(logger, ConfigFileSettings.DisableVariable);
        }
        else
        {
            var path = file.Path ?? ConfigFile.ResolvePath(file.Environment);
            LogConfigFile(logger, path, File.Exists(path) ? "read" : "not present");
        }

        if (!settings.AuthEnabled && !settings.AllowUnauthenticated)
        {
            LogNoAuth(logger);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "AbstractCore gateway listening on {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Configured providers: {Providers}")]
    private static partial void LogProviders(ILogger logger, string providers);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Model aliases (deployment names): {Aliases}")]
    private static partial void LogAliases(ILogger logger, string aliases);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Config file: {Path} ({State})")]
    private static partial void LogConfigFile(ILogger logger, string path, string state);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Config file: not read ({Variable} is on)")]
    private static partial void LogNoConfigFile(ILogger logger, string variable);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Server authentication is not configured: every request that needs it gets a 503. Set ABSTRACTCORE_AUTH_TOKEN " +
        "(clients send it as Authorization: Bearer <token>), or ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED=1 for intentional local/dev use.")]
    private static partial void LogNoAuth(ILogger logger);
}
