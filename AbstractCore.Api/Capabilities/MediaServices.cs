using AbstractCore.Api.Audio;
using AbstractCore.Api.Media;
using AbstractCore.Embeddings;
using AbstractCore.OpenAI.Embeddings;

namespace AbstractCore.Api.Capabilities;

/// <summary>Registers the media surfaces beyond chat: embeddings, audio, catalogs and capability defaults.</summary>
internal static class MediaServices
{
    public static void AddMedia(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Add(EmbeddingsJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(CapabilitiesJsonContext.Default);
        });
        services.AddSingleton(sp => AudioLimits.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<MediaUpstream>();
        services.AddSingleton<MediaRouter>();
        services.AddSingleton<AzureEmbeddings>();
        services.AddSingleton<EmbeddingsClient>();
        services.AddSingleton<SpeechHandler>();
        services.AddSingleton<TranscriptionHandler>();
        services.AddSingleton<VoiceCloneHandler>();
        services.AddSingleton<MusicHandler>();
        services.AddSingleton<CapabilityCatalog>();
        builder.AddCapabilityDefaults();
    }
}
