using AbstractCore.Media;

namespace AbstractCore.Jobs.Worker;

internal static class WorkerServices
{
    /// <summary>
    /// The worker: MassTransit consumers for media jobs (RabbitMQ when <c>messaging</c> is set), job records in Redis
    /// (<c>cache</c>), and the same provider settings as the Api (environment variables, the AbstractCore config file).
    /// </summary>
    public static void AddJobsWorker(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddAbstractCoreConfigFile(source => source.IncludeListenAddress = false);
        if (JobSettings.HasRedis(builder.Configuration))
        {
            builder.AddRedisClient(JobSettings.CacheConnectionName);
        }

        builder.Services.AddMediaUpstream();
        builder.Services.AddMediaJobs(builder.Configuration, consume: true);
    }
}
