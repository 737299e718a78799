using AbstractCore.Providers;
using AbstractCore.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AbstractCore.Media;

public static class MediaRegistration
{
    /// <summary>What running a <see cref="MediaCall"/> needs, in the Api and in the worker alike.</summary>
    public static IServiceCollection AddMediaUpstream(this IServiceCollection services)
    {
        services.TryAddSingleton<UpstreamHttp>();
        services.TryAddSingleton<ProviderResolver>();
        services.TryAddSingleton(sp => new SafeFetcher(SafeFetcherOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>())));
        services.TryAddSingleton<IMediaFetcher, SafeMediaFetcher>();
        services.TryAddSingleton<MediaAnswerReader>();
        services.TryAddSingleton<MediaCallRunner>();
        return services;
    }
}
