using AbstractCore.Api.Capabilities;
using AbstractCore.Providers;

namespace AbstractCore.Api.Audio;

/// <summary>The audio routes speak OpenAI's audio API, so only OpenAI-compatible providers can serve them.</summary>
internal static class AudioProviders
{
    public static IEnumerable<ProviderDescriptor> OpenAICompatible =>
        ProviderCatalog.All.Where(p => p.Protocol == ProviderProtocol.OpenAICompatible);

    /// <summary>The provider when it speaks OpenAI's audio API; unknown names are a 404 (as for chat), others a 400.</summary>
    public static ProviderDescriptor Require(ProviderResolver providers, string name, MediaRoute route)
    {
        var provider = ProviderCatalog.Get(name);
        return provider.Protocol == ProviderProtocol.OpenAICompatible
            ? provider
            : throw GatewayException.BadRequest(
                $"{route.Name} is not available from provider '{provider.Name}', which has no OpenAI-compatible audio API. " +
                $"Use one of: {string.Join(", ", OpenAICompatible.Select(p => p.Name))} (for example '{route.ExampleModel}').",
                "model", "unsupported_provider");
    }
}
