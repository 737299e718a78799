using AbstractCore.Api.Auth;
using AbstractCore.Api.Errors;
using AbstractCore.Api.Logging;
using AbstractCore.Api.Spend;
using AbstractCore.Api.Telemetry;

namespace AbstractCore.Api.Hosting;

/// <summary>The gateway's host set-up and middleware, each in the one order that works, so Program only composes.</summary>
internal static class GatewayHost
{
    /// <summary>Logging first (startup itself logs), then the config file, so the settings read after it see its values.</summary>
    public static WebApplicationBuilder AddGatewayHost(this WebApplicationBuilder builder)
    {
        builder.AddLoggingDefaults();
        builder.Configuration.AddAbstractCoreConfigFile();
        builder.ConfigureListenAddress();
        builder.AddServiceDefaults();
        builder.AddGateway();
        builder.AddGatewayTelemetry();
        builder.AddRequestLogging();
        return builder;
    }

    /// <summary>Metrics and the request log see every answer, errors included; the error writer wraps the auth checks,
    /// which read endpoint metadata, so they run after routing picks the endpoint.</summary>
    public static WebApplication UseGatewayMiddleware(this WebApplication app)
    {
        app.UseGatewayMetrics();
        app.UseRequestLogging();
        app.UseGatewayErrors();
        app.UseServerAuth();
        app.UseMetering();
        app.UseQueryApiKeyRule();
        return app;
    }
}
