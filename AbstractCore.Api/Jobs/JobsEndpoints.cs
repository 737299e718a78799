using AbstractCore.Api.Hosting;
using AbstractCore.Api.Images;
using AbstractCore.Api.Media;
using AbstractCore.Api.Videos;
using AbstractCore.Jobs;
using AbstractCore.Media;
using AbstractCore.OpenAI.Images;

namespace AbstractCore.Api.Jobs;

internal static class JobsEndpoints
{
    private static readonly RequestExample MusicExample = new(typeof(System.Text.Json.JsonElement), """
        {
          "model": "acemusic/ace-step-api",
          "prompt": "A short calm piano loop.",
          "duration_s": 8,
          "format": "mp3"
        }
        """);

    /// <summary>
    /// The job pipeline in the Api. With a <c>messaging</c> connection string the Api only queues jobs (RabbitMQ) and
    /// the Jobs worker runs them; without one (standalone) the in-memory transport delivers them to consumers in
    /// this process. Job records live in Redis when <c>cache</c> is set, in memory otherwise.
    /// </summary>
    public static void AddJobs(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (JobSettings.HasRedis(configuration) && !builder.Services.Any(d => d.ServiceType == typeof(StackExchange.Redis.IConnectionMultiplexer)))
        {
            builder.AddRedisClient(JobSettings.CacheConnectionName);
        }

        builder.Services.AddMediaUpstream();
        builder.Services.AddMediaJobs(configuration, consume: JobSettings.RabbitMq(configuration) is null);
        builder.Services.AddSingleton<MusicCalls>();
    }

    public static void MapJobs(this OpenAIApi api)
    {
        var app = api.V1;
        MapSubmit(app, MediaKinds.ImageGenerations, "Queue an image generation (same body as /v1/images/generations)", ImagesEndpoints.GenerationExample,
            (context, sp) => sp.GetRequiredService<ImageCalls>().GenerationAsync(context, MediaCaller.Job(context)));
        MapSubmit(app, MediaKinds.ImageEdits, "Queue an image edit (same multipart fields as /v1/images/edits)", ImagesEndpoints.EditExample,
            (context, sp) => sp.GetRequiredService<ImageCalls>().EditAsync(context, MediaCaller.Job(context), "/v1/vision/jobs/images/edits"));
        MapSubmit(app, MediaKinds.VideoGenerations, "Queue a text-to-video job (same body as /v1/videos/generations)", VideosEndpoints.GenerationExample,
            (context, sp) => sp.GetRequiredService<VideoCalls>().GenerationAsync(context, MediaCaller.Job(context)));
        MapSubmit(app, MediaKinds.VideoEdits, "Queue an image-to-video job (same multipart fields as /v1/videos/edits)", VideosEndpoints.EditExample,
            (context, sp) => sp.GetRequiredService<VideoCalls>().EditAsync(context, MediaCaller.Job(context), "/v1/vision/jobs/videos/edits"));
        MapSubmit(app, MediaKinds.Music, "Queue a music job (same body as /v1/audio/music)", MusicExample,
            (context, sp) => sp.GetRequiredService<MusicCalls>().CreateAsync(context));

        app.MapGet("/vision/jobs/{job_id}", JobsHandler.GetAsync)
            .WithTags("Vision Jobs").WithSummary("Poll a job: state, progress, result when succeeded (consume=true deletes a finished job)");
    }

    private static void MapSubmit(IEndpointRouteBuilder app, string kind, string summary, RequestExample example, Func<HttpContext, IServiceProvider, Task<MediaCall>> build)
    {
        var route = app.MapPost("/vision/jobs/" + kind, async (HttpContext context, JobSubmitter submitter) =>
                JobsHandler.Created(await JobsHandler.SubmitAsync(context, submitter, await build(context, context.RequestServices))))
            .WithTags("Vision Jobs").WithSummary(summary).WithMetadata(example).Produces<JobCreated>();
        if (example.ContentType != "application/json")
        {
            route.DisableAntiforgery();
        }
    }
}
