using AbstractCore.Api.Audio;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Chat;
using AbstractCore.Api.Embeddings;
using AbstractCore.Api.Images;
using AbstractCore.Api.Messages;
using AbstractCore.Api.Jobs;
using AbstractCore.Api.Models;
using AbstractCore.Api.Responses;
using AbstractCore.Api.Videos;

namespace AbstractCore.Api.Hosting;

internal static class OpenAIApiEndpoints
{
    /// <summary>The OpenAI-compatible API and its AbstractCore extensions: each feature area mapped once into the
    /// <see cref="OpenAIApi"/> groups.</summary>
    public static IEndpointRouteBuilder MapOpenAIApi(this IEndpointRouteBuilder endpoints)
    {
        var api = new OpenAIApi(endpoints);
        api.MapChat();
        api.MapResponses();
        api.MapMessages();
        api.MapModels();
        api.MapEmbeddings();
        api.MapAudio();
        api.MapCatalogs();
        api.MapCapabilityDefaults();
        api.MapImages();
        api.MapVideos();
        api.MapJobs();
        return endpoints;
    }
}
