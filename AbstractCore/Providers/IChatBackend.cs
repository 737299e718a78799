using AbstractCore.OpenAI.Chat;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers;

/// <summary>How one wire protocol is spoken: OpenAI-compatible, Anthropic Messages, Ollama's native API.</summary>
public interface IChatBackend
{
    ProviderProtocol Protocol { get; }

    /// <summary>The (cached) client for one upstream.</summary>
    IChatClient GetClient(ProviderEndpoint endpoint);

    /// <summary>The options for one request; may adjust the converted messages for the protocol.</summary>
    ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages);
}

public enum ProviderProtocol
{
    OpenAICompatible,
    Anthropic,
    Ollama,
}
