using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Models;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers;

/// <summary>How one wire protocol is spoken: OpenAI-compatible, Anthropic Messages, Ollama's native API, Azure OpenAI
/// through Semantic Kernel's connector.</summary>
public interface IChatBackend
{
    ProviderProtocol Protocol { get; }

    /// <summary>The (cached) client for one upstream.</summary>
    IChatClient GetClient(ProviderEndpoint endpoint);

    /// <summary>
    /// The options for one request; may adjust the converted messages for the protocol. Anything asked for
    /// that the upstream cannot do exactly (a thinking level it lacks, say) degrades and adds a warning,
    /// which the client receives in the <c>X-AbstractCore-Warning</c> header.
    /// </summary>
    ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings);

    /// <summary>As above, for backends whose mapping differs per provider (OpenAI-compatible ones do).</summary>
    ChatOptions Prepare(
        ProviderDescriptor provider, ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings) =>
        Prepare(request, model, messages, warnings);

    /// <summary>Whether <see cref="UnloadAsync"/> frees anything (local servers that keep models resident).</summary>
    bool SupportsUnload => false;

    /// <summary>Asks the upstream to unload a model (<c>unload_after</c>).</summary>
    Task UnloadAsync(ProviderEndpoint endpoint, string model, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The upstream's models, ids already <c>provider/model</c>.</summary>
    Task<List<ModelInfo>> ListModelsAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken);
}

public enum ProviderProtocol
{
    OpenAICompatible,
    Anthropic,
    Ollama,
    AzureOpenAI,
}
