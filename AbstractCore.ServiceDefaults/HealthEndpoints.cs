using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Liveness (<c>/alive</c>) and readiness (<c>/ready</c>) probes. <c>/health</c> is not mapped here: each
/// service owns it with its own JSON body.
/// </summary>
public static class HealthEndpoints
{
    public const string AlivePath = "/alive";
    public const string ReadyPath = "/ready";
    public const string LiveTag = "live";

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Open to probes: a gateway's server-token check honours IAllowAnonymous.
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath).AllowAnonymous();
        return app;
    }

    /// <summary><c>/health</c>, <c>/alive</c>, <c>/ready</c>: probes, left out of traces and request counts.</summary>
    public static bool IsHealthPath(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(AlivePath) || path.StartsWithSegments(ReadyPath);
}
