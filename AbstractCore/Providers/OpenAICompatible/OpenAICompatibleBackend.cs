using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>Every upstream that speaks OpenAI's Chat Completions: fields and tool-call turns go out as given.</summary>
public sealed class OpenAICompatibleBackend(OpenAIChatClients clients) : IChatBackend
{
    public ProviderProtocol Protocol => ProviderProtocol.OpenAICompatible;

    public IChatClient GetClient(ProviderEndpoint endpoint) => clients.Get(endpoint);

    public ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages)
    {
        OpenAIRequestOptions.KeepToolCallsVerbatim(messages);
        return OpenAIRequestOptions.Create(request, model);
    }
}
