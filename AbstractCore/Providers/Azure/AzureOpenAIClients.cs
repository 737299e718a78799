using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Azure.Core;
using Azure.Identity;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// The Azure SDK clients Semantic Kernel's connector services are built on, one per endpoint (cached like every provider
/// client) over the gateway's pooled handler: the endpoint's key as <c>api-key</c>, or without a key a bearer token from
/// the Entra ID credential chain (<see cref="DefaultAzureCredential"/>: environment, workload and managed identity, the
/// Azure CLI…, made once and shared so its tokens are cached); the configured <c>api-version</c>; no SDK retries and no SDK
/// timeout, since the gateway answers 429s itself and keeps its own deadlines.
/// </summary>
public sealed class AzureOpenAIClients
{
    private readonly Lazy<TokenCredential> _credential;
    private readonly EndpointClients<AzureOpenAIClient> _clients;

    /// <param name="credential">The token credential for endpoints without a key; <see cref="DefaultAzureCredential"/> when
    /// none is registered.</param>
    public AzureOpenAIClients(UpstreamHttp http, AzureOpenAISettings settings, TokenCredential? credential = null)
    {
        Settings = settings;
        _credential = new(() => credential ?? new DefaultAzureCredential());
        _clients = new(endpoint => Create(http, settings, endpoint, _credential));
    }

    public AzureOpenAISettings Settings { get; }

    /// <summary>The token credential used for endpoints without a key.</summary>
    public TokenCredential Credential => _credential.Value;

    public AzureOpenAIClient Get(ProviderEndpoint endpoint) => _clients.Get(endpoint);

    private static AzureOpenAIClient Create(UpstreamHttp http, AzureOpenAISettings settings, ProviderEndpoint endpoint, Lazy<TokenCredential> credential)
    {
        var options = new AzureOpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http.For(endpoint)),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        options.AddPolicy(AzureEmbeddingUsage.Instance, PipelinePosition.PerCall);
        if (settings.ApiVersion is { } version)
        {
            options.AddPolicy(new AzureApiVersionPolicy(version), PipelinePosition.PerCall);
        }

        return endpoint.ApiKey is { } key
            ? new AzureOpenAIClient(endpoint.BaseUrl, new ApiKeyCredential(key), options)
            : new AzureOpenAIClient(endpoint.BaseUrl, credential.Value, options);
    }
}
