using AbstractCore.Api.Hosting;
using AbstractCore.Api.Media;
using AbstractCore.OpenAI.Images;

namespace AbstractCore.Api.Images;

public static class ImagesEndpoint
{
    internal static readonly RequestExample GenerationExample = new(typeof(ImageGenerationRequest), """
        {
          "model": "openai-compatible/gpt-image-1",
          "prompt": "A clean product photo of a red ceramic mug on a white table.",
          "n": 1,
          "size": "1024x1024",
          "quality": "low"
        }
        """);

    internal static readonly RequestExample EditExample = new(typeof(MediaEditForm), """
        {
          "model": "openai-compatible/gpt-image-1",
          "prompt": "Make the mug blue while keeping the white table.",
          "image": "<image.png file>",
          "size": "1024x1024",
          "extra_json": "{\"quality\":\"low\"}"
        }
        """, "multipart/form-data");

    public static void AddImages(this IServiceCollection services)
    {
        services.AddSingleton<VisionRouting>();
        services.AddSingleton<MediaRunner>();
        services.AddSingleton<ImageCalls>();
    }

    public static void MapImages(this WebApplication app)
    {
        foreach (var prefix in (string[])["", ProviderSegment.Prefix])
        {
            var scoped = prefix.Length > 0 ? " with the provider chosen by the path" : "";
            app.MapPost(prefix + "/v1/images/generations", async (HttpContext context, ImageCalls calls, MediaRunner runner) =>
                {
                    var caller = MediaCaller.Sync(context, context.GetRouteValue("provider") as string);
                    return await runner.RunAsync(context, await calls.GenerationAsync(context, caller), caller.ExplicitKey);
                })
                .WithTags("Images").WithSummary("Generate images from a prompt" + scoped)
                .WithMetadata(GenerationExample).Produces<MediaAnswer>();
            app.MapPost(prefix + "/v1/images/edits", async (HttpContext context, ImageCalls calls, MediaRunner runner) =>
                {
                    var caller = MediaCaller.Sync(context, context.GetRouteValue("provider") as string);
                    return await runner.RunAsync(context, await calls.EditAsync(context, caller, "/v1/images/edits"), caller.ExplicitKey);
                })
                .WithTags("Images").WithSummary("Edit an image (multipart: image, optional mask, prompt)" + scoped)
                .WithMetadata(EditExample).Produces<MediaAnswer>().DisableAntiforgery();
        }
    }
}
