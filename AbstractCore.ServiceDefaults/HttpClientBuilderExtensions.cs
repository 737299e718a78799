using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Opt-outs from the defaults that <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/> gives every factory client.</summary>
internal static class HttpClientBuilderExtensions
{
    /// <summary>
    /// Removes the standard resilience handler (and its 10 s attempt timeout) from one named or typed client,
    /// for calls that legitimately run long, such as model generations.
    /// </summary>
    public static IHttpClientBuilder WithoutStandardResilience(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The only supported way to undo ConfigureHttpClientDefaults for one client; still marked experimental.
#pragma warning disable EXTEXP0001
        return builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
