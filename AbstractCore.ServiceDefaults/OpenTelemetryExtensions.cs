using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

internal static class OpenTelemetryExtensions
{
    /// <summary>
    /// Logs, metrics and traces for ASP.NET Core, HttpClient, the runtime, MassTransit and the AbstractCore and GenAI
    /// sources (<see cref="TelemetryNames"/>), exported over OTLP. Every service (Api, Inference, Jobs) gets this through
    /// <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>. Only wired when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
    /// set (the AppHost sets it): with nowhere to send them, recording an activity and a log record for every request is
    /// pure cost on the hot path, and the services' own sources and instruments cost nothing without a listener.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter([.. TelemetryNames.Meters]))
            .WithTracing(tracing => tracing
                .AddSource([builder.Environment.ApplicationName, .. TelemetryNames.Sources])
                .AddAspNetCoreInstrumentation(aspnet =>
                    aspnet.Filter = context => !HealthEndpoints.IsHealthPath(context.Request.Path))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();

        return builder;
    }
}
