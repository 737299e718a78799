namespace AbstractCore.Api.Hosting;

/// <summary>Server settings read once at startup (environment variables, config files, command line).</summary>
internal sealed record GatewaySettings(
    string? AuthToken,
    bool AllowUnauthenticated,
    bool ProtectDocs,
    TimeSpan UpstreamTimeout,
    bool AllowUnsafeUnloadAfter)
{
    public bool AuthEnabled => AuthToken is not null;

    /// <summary><c>ABSTRACTCORE_DEBUG</c>: structured request/response logs, secrets redacted.</summary>
    public bool Debug { get; init; }

    /// <summary>What the chat planner applies of these settings.</summary>
    public AbstractCore.Pipeline.ChatPlanSettings ChatPlanning => new(UpstreamTimeout, AllowUnsafeUnloadAfter);

    public static GatewaySettings From(IConfiguration config)
    {
        var token = config["ABSTRACTCORE_AUTH_TOKEN"]?.Trim();
        var timeout = double.TryParse(config["ABSTRACTCORE_UPSTREAM_TIMEOUT_S"], System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromMinutes(10);
        return new GatewaySettings(
            string.IsNullOrEmpty(token) ? null : token,
            Flags.IsOn(config["ABSTRACTCORE_SERVER_ALLOW_UNAUTHENTICATED"]),
            Flags.IsOn(config["ABSTRACTCORE_SERVER_PROTECT_DOCS"]),
            timeout,
            Flags.IsOn(config["ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER"]))
        {
            Debug = Flags.IsOn(config["ABSTRACTCORE_DEBUG"]),
        };
    }
}
