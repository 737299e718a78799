using AbstractCore.Api.Hosting;
using AbstractCore.Api.Media;
using AbstractCore.OpenAI.Images;
using AbstractCore.OpenAI.Videos;

namespace AbstractCore.Api.Videos;

internal static class VideosEndpoints
{
    internal static readonly RequestExample GenerationExample = new(typeof(VideoGenerationRequest), """
        {
          "model": "openai-compatible/video-model",
          "prompt": "A slow camera move through a luminous data center.",
          "width": 1280,
          "height": 704,
          "fps": 24,
          "num_frames": 121,
          "extra": {"max_sequence_length": 256}
        }
        """);

    internal static readonly RequestExample EditExample = new(typeof(MediaEditForm), """
        {
          "model": "openai-compatible/video-model",
          "prompt": "Slow camera push-in.",
          "image": "<first-frame.png file>",
          "extra_json": "{\"max_sequence_length\":256}"
        }
        """, "multipart/form-data");

    public static void AddVideos(this IServiceCollection services) => services.AddSingleton<VideoCalls>();

    public static void MapVideos(this OpenAIApi api)
    {
        api.MapBoth(g => g.MapPost("/videos/generations", (HttpContext context, VideoCalls calls, MediaRunner runner) =>
                    runner.RunAsync(context, caller => calls.GenerationAsync(context, caller)))
                .WithTags("Videos").WithMetadata(GenerationExample).Produces<MediaAnswer>(),
            "Generate a video (MP4 as b64_json) from a prompt");
        // from-image is an alias of edits (same handler, same form), kept where clients already call it.
        foreach (var path in (string[])["/v1/videos/edits", "/v1/videos/from-image"])
        {
            api.MapBoth(g => g.MapPost(path["/v1".Length..], (HttpContext context, VideoCalls calls, MediaRunner runner) =>
                        runner.RunAsync(context, caller => calls.EditAsync(context, caller, path)))
                    .WithTags("Videos").WithMetadata(EditExample).Produces<MediaAnswer>().DisableAntiforgery(),
                "Image-to-video (multipart: image, prompt)");
        }
    }
}
