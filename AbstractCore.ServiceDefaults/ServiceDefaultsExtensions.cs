using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every AbstractCore service starts with: OpenTelemetry, health checks, service discovery and
/// resilience for clients made by <see cref="System.Net.Http.IHttpClientFactory"/>.
/// </summary>
/// <remarks>
/// The standard resilience handler (10 s attempt timeout, retries) is added only to clients created through
/// <see cref="System.Net.Http.IHttpClientFactory"/> (typed and named clients). Nothing here installs a global
/// handler, so an <see cref="System.Net.Http.HttpClient"/> built over its own
/// <see cref="System.Net.Http.SocketsHttpHandler"/> (the gateway's provider clients, whose LLM calls run for
/// minutes) is untouched. A factory client that must not have it calls
/// <see cref="HttpClientBuilderExtensions.WithoutStandardResilience"/>.
/// </remarks>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }
}
