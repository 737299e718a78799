using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using OpenAI;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// <see cref="IChatClient"/>s for OpenAI-compatible upstreams (OpenAI's own SDK behind Microsoft.Extensions.AI,
/// the same adapter Semantic Kernel's OpenAI connector registers), cached per (provider, base URL, key) over
/// the shared pooled handler. The model is chosen per request through <see cref="ChatOptions.ModelId"/>.
/// </summary>
public sealed class OpenAIChatClients(UpstreamHttp http)
{
    private const int MaxCachedClients = 1024;
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);

    public IChatClient Get(ProviderEndpoint endpoint)
    {
        if (_clients.TryGetValue(endpoint.CacheKey, out var client))
        {
            return client;
        }

        if (_clients.Count >= MaxCachedClients)
        {
            // Many distinct per-request keys: start over rather than grow without bound.
            _clients.Clear();
        }

        return _clients.GetOrAdd(endpoint.CacheKey, _ => Create(endpoint));
    }

    private IChatClient Create(ProviderEndpoint endpoint)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            Transport = new HttpClientPipelineTransport(http.For(endpoint)),
            // The gateway answers the client; retrying on its behalf would hide 429s and double latency.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        options.AddPolicy(new ProviderHeadersPolicy(endpoint), PipelinePosition.BeforeTransport);

        // The SDK insists on a credential; ProviderHeadersPolicy removes it when the upstream takes none.
        var credential = new ApiKeyCredential(endpoint.ApiKey ?? "unused");
        return new OpenAISdkChatClient(new OpenAIClient(credential, options).GetChatClient("default").AsIChatClient());
    }
}
