using System.Globalization;
using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Models;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Ollama;

/// <summary>
/// Ollama's native API (<c>/api/chat</c>, <c>/api/tags</c>): requests are translated from the abstraction (tools
/// natively, <c>think</c> from the thinking mode, sampling fields into <c>options</c>), clients cached per endpoint
/// over the shared pooled handler.
/// </summary>
public sealed class OllamaBackend(UpstreamHttp http) : IChatBackend
{
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(5);
    private readonly EndpointClients<OllamaChatClient> _clients = new(endpoint => new OllamaChatClient(http.For(endpoint), endpoint));

    public ProviderProtocol Protocol => ProviderProtocol.Ollama;

    public IChatClient GetClient(ProviderEndpoint endpoint) => _clients.Get(endpoint);

    public ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings)
    {
        var options = ChatOptionsMapper.Map(request, model);
        var properties = options.AdditionalProperties ??= [];

        switch (Thinking.From(request))
        {
            case ThinkingMode.Off:
                properties[OllamaRequests.ThinkProperty] = false;
                break;
            case ThinkingMode.On:
                properties[OllamaRequests.ThinkProperty] = true;
                break;
            case ThinkingMode.Low:
                properties[OllamaRequests.ThinkProperty] = "low";
                break;
            case ThinkingMode.Medium:
                properties[OllamaRequests.ThinkProperty] = "medium";
                break;
            case ThinkingMode.High:
                properties[OllamaRequests.ThinkProperty] = "high";
                break;
            case ThinkingMode.XHigh:
                properties[OllamaRequests.ThinkProperty] = "high";
                warnings.Add("thinking 'xhigh' is not an Ollama level; sent think=\"high\"");
                break;
        }

        if (request.Extra is { } extra)
        {
            if (extra.TryGetValue("keep_alive", out var keepAlive) && keepAlive.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                properties[OllamaRequests.KeepAliveProperty] = keepAlive.Clone();
            }

            if (extra.TryGetValue("top_k", out var topK))
            {
                options.TopK = topK.ValueKind == JsonValueKind.Number && topK.TryGetInt32(out var k) && k >= 0
                    ? k
                    : throw GatewayException.BadRequest("'top_k' must be a non-negative integer.", "top_k");
            }
        }

        switch (options.ToolMode)
        {
            case RequiredChatToolMode { RequiredFunctionName: { } name } when options.Tools is { Count: > 0 } tools:
                if (!tools.Any(t => t.Name == name))
                {
                    throw GatewayException.BadRequest($"tool_choice names '{name}', which is not in tools.", "tool_choice");
                }

                warnings.Add($"Ollama has no tool_choice: only '{name}' was offered, but the model may still answer without calling it");
                break;
            case RequiredChatToolMode when options.Tools is { Count: > 0 }:
                warnings.Add("Ollama has no tool_choice: 'required' cannot be enforced, the model may answer without a tool call");
                break;
        }

        if (request.Logprobs == true)
        {
            warnings.Add("logprobs are not available through Ollama's chat API and were left out");
        }

        return options;
    }

    public bool SupportsUnload => true;

    public Task UnloadAsync(ProviderEndpoint endpoint, string model, CancellationToken cancellationToken) =>
        _clients.Get(endpoint).UnloadAsync(model, cancellationToken);

    public async Task<List<ModelInfo>> ListModelsAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ListTimeout);
        var tags = await _clients.Get(endpoint).TagsAsync(timeout.Token).ConfigureAwait(false);
        var models = new List<ModelInfo>();
        foreach (var tag in tags.Models ?? [])
        {
            if ((tag.Name ?? tag.Model) is { Length: > 0 } name)
            {
                models.Add(new ModelInfo
                {
                    Id = $"{endpoint.Provider.Name}/{name}",
                    OwnedBy = endpoint.Provider.Name,
                    Created = DateTimeOffset.TryParse(tag.ModifiedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified)
                        ? modified.ToUnixTimeSeconds()
                        : 0,
                });
            }
        }

        return models;
    }
}
