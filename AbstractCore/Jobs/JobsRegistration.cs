using AbstractCore.Spend;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace AbstractCore.Jobs;

public static class JobsRegistration
{
    /// <summary>The name MassTransit gives its bus health check.</summary>
    public const string BusHealthCheckName = "masstransit-bus";

    /// <summary>
    /// The job pipeline: the store (Redis when a <c>cache</c> connection string is set, whose
    /// <see cref="IConnectionMultiplexer"/> the host registers; memory otherwise) and MassTransit (RabbitMQ when
    /// <c>messaging</c> is set, the in-memory transport otherwise). With <paramref name="consume"/> this process also
    /// runs jobs: the worker always, the Api only in standalone mode (the in-memory transport reaches no one else).
    /// </summary>
    public static IServiceCollection AddMediaJobs(this IServiceCollection services, IConfiguration configuration, bool consume)
    {
        var settings = JobSettings.From(configuration);
        var rabbit = JobSettings.RabbitMq(configuration);
        var redis = JobSettings.HasRedis(configuration);
        if (rabbit is not null && !redis)
        {
            throw new InvalidOperationException(
                "The 'messaging' connection string is set but 'cache' is not: job records must live in Redis so that the " +
                "Api and the Jobs worker see the same jobs. Set ConnectionStrings__cache.");
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton<JobWorkerIdentity>();
        services.AddSingleton<JobSubmitter>();
        // Billing off until a spend ledger registers its own (TryAdd: whichever order the two registrations run in).
        services.TryAddSingleton<IJobSpend>(NoJobSpend.Instance);
        services.AddMetrics();
        services.TryAddSingleton<Telemetry.JobsTelemetry>();
        if (consume)
        {
            // Before MassTransit, so that it stops after the bus: see JobRuns.StopAsync.
            services.AddSingleton<JobRuns>();
            services.AddHostedService(sp => sp.GetRequiredService<JobRuns>());
        }

        if (rabbit is not null)
        {
            services.AddSingleton(_ => new Telemetry.RabbitMqHealthCheck(rabbit));
            if (consume)
            {
                // The worker: without the broker it has nothing to do.
                services.AddHealthChecks().AddCheck<Telemetry.RabbitMqHealthCheck>("rabbitmq");
                services.AddHostedService(sp => new Telemetry.JobQueueDepth(sp.GetRequiredService<Telemetry.JobsTelemetry>(), rabbit));
            }
            else
            {
                // The Api: only job submissions need the broker (they answer 503 without it), so its loss degrades the
                // gateway instead of failing /ready and taking chat down with it. MassTransit's own check watches receive
                // endpoints, and this bus has none: it would say "Ready" with the broker gone, so the probe replaces it.
                services.AddHealthChecks().AddCheck<JobQueueHealthCheck>("rabbitmq", HealthStatus.Degraded);
                services.PostConfigure<HealthCheckServiceOptions>(options =>
                {
                    foreach (var idle in options.Registrations.Where(r => r.Name == BusHealthCheckName).ToList())
                    {
                        options.Registrations.Remove(idle);
                    }
                });
            }
        }

        if (redis)
        {
            services.AddSingleton<IJobStore>(sp => new RedisJobStore(sp.GetRequiredService<IConnectionMultiplexer>(), settings, sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            services.AddSingleton<IJobStore>(sp => new InMemoryJobStore(settings, sp.GetRequiredService<TimeProvider>()));
        }

        services.AddMassTransit(bus =>
        {
            if (consume)
            {
                bus.AddConsumer<MediaJobConsumer>();
            }

            if (rabbit is not null)
            {
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(rabbit));
                    if (consume)
                    {
                        cfg.ReceiveEndpoint(JobSettings.QueueName, e => ConfigureEndpoint(e, context, settings));
                    }
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    if (consume)
                    {
                        cfg.ReceiveEndpoint(JobSettings.QueueName, e => ConfigureEndpoint(e, context, settings));
                    }
                });
            }
        });
        return services;
    }

    private static void ConfigureEndpoint(IReceiveEndpointConfigurator endpoint, IBusRegistrationContext context, JobSettings settings)
    {
        // The concurrency cap: at most this many jobs run at once in this process, and no more are fetched.
        endpoint.ConcurrentMessageLimit = settings.Concurrency;
        endpoint.PrefetchCount = settings.Concurrency;
        endpoint.UseMessageRetry(retry =>
        {
            if (settings.Retries == 0)
            {
                retry.None();
            }
            else
            {
                retry.Exponential(settings.Retries, settings.RetryMin, settings.RetryMax, settings.RetryMin);
            }

            retry.Handle<TransientJobException>();
        });
        endpoint.ConfigureConsumer<MediaJobConsumer>(context);
    }
}
