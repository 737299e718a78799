using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using AbstractCore.Pipeline;
using AbstractCore.Routing;

namespace AbstractCore.Api.Telemetry;

/// <summary>
/// The gateway's spans and metrics (activity source and meter <c>AbstractCore.Api</c>): one <c>chat {model}</c> client
/// span per upstream chat call, with the GenAI semantic-convention attributes, and the instruments below. Nothing is
/// recorded, allocated or timed while nobody listens: <see cref="Start"/> answers null and the request counter's
/// middleware passes straight through.
/// </summary>
internal sealed class GatewayTelemetry
{
    public const string Name = TelemetryNames.Api;

    /// <summary>Counter <c>{request}</c>: every request but the probes, by <c>http.route</c>,
    /// <c>http.request.method</c>, <c>http.response.status_code</c> and, for model calls, <c>gen_ai.provider.name</c>.</summary>
    public const string RequestsInstrument = "abstractcore.api.requests";

    public static readonly ActivitySource Source = new(Name, typeof(GatewayTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The <see cref="HttpContext.Items"/> key under which a model route leaves its provider for the request counter.</summary>
    private static readonly object ProviderKey = new();

    private readonly Counter<long> _requests;

    [SuppressMessage("Reliability", "CA2000", Justification = "The IMeterFactory owns and disposes the meters it creates.")]
    public GatewayTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _requests = meter.CreateCounter<long>(RequestsInstrument, "{request}", "Requests answered by the gateway.");
        TokenUsage = meter.CreateHistogram(GenAiConventions.ClientTokenUsage, "{token}", "Tokens used by upstream chat calls.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = GenAiConventions.TokenBuckets });
        OperationDuration = meter.CreateHistogram(GenAiConventions.ClientOperationDuration, "s", "Duration of upstream chat calls.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        TimeToFirstChunk = meter.CreateHistogram(GenAiConventions.ClientTimeToFirstChunk, "s",
            "Time from an upstream streamed chat call to its first chunk.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
    }

    internal Histogram<long> TokenUsage { get; }

    internal Histogram<double> OperationDuration { get; }

    internal Histogram<double> TimeToFirstChunk { get; }

    /// <summary>
    /// Starts the telemetry of one upstream chat call (chat completions or Responses): a <c>chat {model}</c> span when
    /// the source is listened to, timings when an instrument is, the bill's line when the request is billed. Null
    /// (nothing allocated) when none is.
    /// </summary>
    public ChatCallTelemetry? Start(ChatPlan plan, ModelRef model, Spend.RequestBill? bill)
    {
        var activity = Source.HasListeners() ? Source.CreateActivity(GenAiConventions.ChatOperation, ActivityKind.Client) : null;
        if (activity is null && bill is null && !TokenUsage.Enabled && !OperationDuration.Enabled && !TimeToFirstChunk.Enabled)
        {
            return null;
        }

        return new ChatCallTelemetry(this, activity, plan, model, bill);
    }

    /// <summary>Tells the request counter which provider a model route went to (only when the counter is on).</summary>
    public void SetProvider(HttpContext context, string provider)
    {
        if (_requests.Enabled)
        {
            context.Items[ProviderKey] = provider;
        }
    }

    /// <summary>The request counter, outside the error handler so it sees the status the client got.</summary>
    internal Task CountAsync(HttpContext context, RequestDelegate next) =>
        _requests.Enabled && !HealthEndpoints.IsHealthPath(context.Request.Path) ? CountSlowAsync(context, next) : next(context);

    private async Task CountSlowAsync(HttpContext context, RequestDelegate next)
    {
        string? errorType = null;
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            errorType = e.GetType().FullName;
            throw;
        }
        finally
        {
            var status = errorType is not null && !context.Response.HasStarted ? 500 : context.Response.StatusCode;
            var tags = new TagList
            {
                { "http.request.method", context.Request.Method },
                { "http.response.status_code", status },
            };
            if ((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } route)
            {
                tags.Add("http.route", route);
            }

            if (context.Items.TryGetValue(ProviderKey, out var provider))
            {
                tags.Add(GenAiConventions.ProviderName, provider);
            }

            if (errorType is not null)
            {
                tags.Add(GenAiConventions.ErrorType, errorType);
            }

            _requests.Add(1, tags);
        }
    }
}

internal static class GatewayTelemetryExtensions
{
    /// <summary>The telemetry singleton and the gateway's health checks (Inference readiness when it is configured).</summary>
    public static void AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<GatewayTelemetry>();
        AbstractCore.Api.Health.GatewayHealthEndpoints.AddGatewayHealthChecks(builder);
    }

    /// <summary>Counts requests by route, provider and status; first in the pipeline, so every answer is seen.</summary>
    public static void UseGatewayMetrics(this WebApplication app)
    {
        var telemetry = app.Services.GetRequiredService<GatewayTelemetry>();
        app.Use(telemetry.CountAsync);
    }
}
