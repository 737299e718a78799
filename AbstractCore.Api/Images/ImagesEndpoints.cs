using AbstractCore.Api.Hosting;
using AbstractCore.Api.Media;
using AbstractCore.OpenAI.Images;

namespace AbstractCore.Api.Images;

internal static class ImagesEndpoints
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

    public static void MapImages(this OpenAIApi api)
    {
        api.MapBoth(g => g.MapPost("/images/generations", (HttpContext context, ImageCalls calls, MediaRunner runner) =>
                    runner.RunAsync(context, caller => calls.GenerationAsync(context, caller)))
                .WithTags("Images").WithMetadata(GenerationExample).Produces<MediaAnswer>(),
            "Generate images from a prompt");
        api.MapBoth(g => g.MapPost("/images/edits", (HttpContext context, ImageCalls calls, MediaRunner runner) =>
                    runner.RunAsync(context, caller => calls.EditAsync(context, caller, "/v1/images/edits")))
                .WithTags("Images").WithMetadata(EditExample).Produces<MediaAnswer>().DisableAntiforgery(),
            "Edit an image (multipart: image, optional mask, prompt)");
    }
}
