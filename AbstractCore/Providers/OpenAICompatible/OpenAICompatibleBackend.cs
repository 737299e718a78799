using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Models;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>Every upstream that speaks OpenAI's Chat Completions: fields and tool-call turns go out as given.</summary>
public sealed class OpenAICompatibleBackend(OpenAIChatClients clients, ProviderModels models) : IChatBackend
{
    public ProviderProtocol Protocol => ProviderProtocol.OpenAICompatible;

    public IChatClient GetClient(ProviderEndpoint endpoint) => clients.Get(endpoint);

    public ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings) =>
        Prepare(ProviderCatalog.Find("openai-compatible")!, request, model, messages, warnings);

    public ChatOptions Prepare(
        ProviderDescriptor provider, ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings)
    {
        OpenAIRequestOptions.KeepToolCallsVerbatim(messages);
        var thinking = OpenAIThinking.Fields(provider.Name, model, request, warnings);
        return OpenAIRequestOptions.Create(request, model, thinking);
    }

    public Task<List<ModelInfo>> ListModelsAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken) =>
        models.ListAsync(endpoint, cancellationToken);
}
