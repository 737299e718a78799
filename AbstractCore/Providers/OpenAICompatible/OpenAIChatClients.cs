using System.ClientModel;
using System.ClientModel.Primitives;
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
    private readonly EndpointClients<IChatClient> _clients = new(endpoint => Create(http, endpoint));

    public IChatClient Get(ProviderEndpoint endpoint) => _clients.Get(endpoint);

    private static OpenAISdkChatClient Create(UpstreamHttp http, ProviderEndpoint endpoint)
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
