using System.ClientModel.Primitives;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>Last policy before the socket: puts the provider's own headers on and the key where the provider
/// expects it (no <c>Authorization</c> at all for keyless local servers).</summary>
internal sealed class ProviderHeadersPolicy(ProviderEndpoint endpoint) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineRequest request)
    {
        if (endpoint.ApiKey is null || endpoint.Provider.AuthStyle != ProviderAuthStyle.Bearer)
        {
            request.Headers.Remove("Authorization");
        }

        if (endpoint.ApiKey is not null && endpoint.Provider.AuthStyle == ProviderAuthStyle.Portkey)
        {
            request.Headers.Set("x-portkey-api-key", endpoint.ApiKey);
        }

        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.Set(name, value);
        }
    }
}
