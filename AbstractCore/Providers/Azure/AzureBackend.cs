using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Models;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// Azure OpenAI through Semantic Kernel's Azure OpenAI connector: <c>azure/&lt;deployment&gt;</c>, the request mapped to the
/// connector's settings (<see cref="AzureRequestSettings"/>), clients cached per endpoint and deployment
/// (<see cref="AzureChatClient"/>). Azure's data plane lists no deployments, so the listed models are the configured
/// <c>AZURE_OPENAI_DEPLOYMENTS</c>.
/// </summary>
public sealed class AzureBackend(AzureOpenAIClients clients) : IChatBackend
{
    private readonly EndpointClients<AzureChatClient> _chatClients = new(endpoint => new AzureChatClient(clients.Get(endpoint), endpoint));

    public ProviderProtocol Protocol => ProviderProtocol.AzureOpenAI;

    public IChatClient GetClient(ProviderEndpoint endpoint) => _chatClients.Get(endpoint);

    public ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings)
    {
        var options = ChatOptionsMapper.Map(request, model); // validates stop, tools, tool_choice and response_format
        var settings = AzureRequestSettings.Create(request, options, warnings);
        options.RawRepresentationFactory = _ => settings;
        return options;
    }

    public Task<List<ModelInfo>> ListModelsAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken) =>
        Task.FromResult(clients.Settings.Deployments
            .Select(deployment => new ModelInfo { Id = $"{endpoint.Provider.Name}/{deployment}", OwnedBy = endpoint.Provider.Name })
            .ToList());
}
