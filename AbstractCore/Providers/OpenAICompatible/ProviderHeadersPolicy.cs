using System.ClientModel.Primitives;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>Last policy before the socket: replaces the credential the SDK insists on with
/// <see cref="ProviderHeaders"/>' rule, worked out once per cached client so a request allocates nothing for it.</summary>
internal sealed class ProviderHeadersPolicy(ProviderEndpoint endpoint) : RequestPolicy
{
    private readonly KeyValuePair<string, string>? _key = ProviderHeaders.Key(endpoint);

    protected override void Apply(PipelineRequest request)
    {
        // The SDK already sent the key as a bearer credential: only another rule (no key, Portkey's header) replaces it.
        if (_key is not { Key: "Authorization" })
        {
            request.Headers.Remove("Authorization");
            if (_key is { } key)
            {
                request.Headers.Set(key.Key, key.Value);
            }
        }

        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.Set(name, value);
        }
    }
}
