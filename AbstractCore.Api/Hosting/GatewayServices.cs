using AbstractCore.Api.Aliases;
using AbstractCore.Api.Caching;
using AbstractCore.Api.Chat;
using AbstractCore.Api.Images;
using AbstractCore.Api.Jobs;
using AbstractCore.Api.Responses;
using AbstractCore.Api.Videos;
using AbstractCore.OpenAI.Json;
using AbstractCore.Providers;
using AbstractCore.Providers.OpenAICompatible;

namespace AbstractCore.Api.Hosting;

internal static class GatewayServices
{
    public static void AddGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        ProviderSegment.Register(services);
        AbstractCore.Api.Errors.ErrorResponses.AddGatewayErrors(services);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OpenAIJsonContext.Default));
        services.AddSingleton<UpstreamHttp>();
        services.AddSingleton(sp => new SelfAddresses(() =>
            sp.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []));
        services.AddSingleton<ProviderResolver>();
        services.AddSingleton<ProviderModels>();
        services.AddSingleton<ChatBackends>();
        services.AddSingleton<AbstractCore.Api.Models.ModelDiscovery>();

        // Chat backends, one per wire protocol.
        services.AddSingleton<OpenAIChatClients>();
        services.AddSingleton<IChatBackend, OpenAICompatibleBackend>();
        services.AddSingleton<IChatBackend, AbstractCore.Providers.Ollama.OllamaBackend>();
        services.AddSingleton<IChatBackend, AbstractCore.Providers.Anthropic.AnthropicBackend>();
        services.AddSingleton(sp => AbstractCore.Providers.Azure.AzureOpenAISettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<AbstractCore.Providers.Azure.AzureOpenAIClients>();
        services.AddSingleton<IChatBackend, AbstractCore.Providers.Azure.AzureBackend>();
        services.AddSingleton(sp => GatewaySettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ChatCompletionsHandler>();
        services.AddSingleton<Chat.Relay.ChatRelay>();
        services.AddSingleton<AbstractCore.Pipeline.UnloadAfter>();
        services.AddSingleton(sp => sp.GetRequiredService<GatewaySettings>().ChatPlanning);
        builder.AddAliases();
        services.AddSingleton<AbstractCore.Pipeline.ChatPlanner>();
        services.AddSingleton<AbstractCore.Api.ControlPlane.ControlPlaneForwarder>();
        services.AddSingleton<ChatCalls>();

        // Attachments: URLs fetched SSRF-safely, local paths only under the media policy. A request body may carry
        // 32 MB of files base64-encoded (about 43 MB) plus its text; Kestrel refuses more before buffering (413).
        services.AddSingleton(sp => new AbstractCore.Security.SafeFetcher(AbstractCore.Security.SafeFetcherOptions.FromConfiguration(builder.Configuration)));
        services.AddSingleton(AbstractCore.Security.LocalFilePolicy.FromConfiguration(builder.Configuration));
        services.AddSingleton<AbstractCore.Attachments.MessageAttachments>();
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = AbstractCore.Security.MediaLimits.MaxRequestBodyBytes);
        builder.AddGatewayRedis(); // before the stores that use it
        AbstractCore.Api.Keys.KeysEndpoints.AddKeys(builder);
        builder.AddResponseCache();
        builder.AddResponses();
        AbstractCore.Api.Messages.MessagesEndpoints.AddMessages(services, builder.Configuration);
        AbstractCore.Api.Blocs.BlocsEndpoints.AddBlocs(builder);
        AbstractCore.Api.Capabilities.MediaServices.AddMedia(builder);
        services.AddImages();
        services.AddVideos();
        builder.AddJobs(); // after AddGatewayRedis: every store uses the one Redis client
        AbstractCore.Api.Spend.SpendEndpoints.AddSpend(services);
        AbstractCore.Api.Keys.Limits.KeyLimitServices.AddKeyLimits(services);
        services.AddOpenApi(AbstractCore.Api.Docs.OpenApiSetup.Configure);
    }
}
