using AbstractCore.Api.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.Providers;
using AbstractCore.Providers.OpenAICompatible;

namespace AbstractCore.Api.Hosting;

public static class GatewayServices
{
    public static void AddGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OpenAIJsonContext.Default));
        services.AddSingleton<UpstreamHttp>();
        services.AddSingleton<ProviderResolver>();
        services.AddSingleton<ProviderModels>();
        services.AddSingleton<ChatBackends>();
        services.AddSingleton<AbstractCore.Api.Models.ModelDiscovery>();

        // Chat backends, one per wire protocol.
        services.AddSingleton<OpenAIChatClients>();
        services.AddSingleton<IChatBackend, OpenAICompatibleBackend>();
        services.AddSingleton<IChatBackend, AbstractCore.Providers.Ollama.OllamaBackend>();
        services.AddSingleton<IChatBackend, AbstractCore.Providers.Anthropic.AnthropicBackend>();
        services.AddSingleton(sp => GatewaySettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ChatCompletionsHandler>();
        services.AddSingleton<UnloadAfter>();
        services.AddSingleton<AbstractCore.Api.ControlPlane.ControlPlaneForwarder>();
        services.AddSingleton<ChatCalls>();
        AbstractCore.Api.Responses.ResponsesEndpoint.AddResponses(services);
        services.AddOpenApi(o => o.AddOperationTransformer(RequestExample.ApplyAsync));
    }
}
