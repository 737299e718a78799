using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Progress;

internal static class ResourceProgressExtensions
{
    /// <summary>Logs each resource's progress while the app runs (not when publishing: nothing starts then).</summary>
    public static IDistributedApplicationBuilder AddResourceProgressLog(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        var clock = Stopwatch.StartNew();
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            // What runs: projects, executables, containers. Parameters and connection strings only hold values, and
            // the dashboard hides itself (its snapshot says so).
            var watched = e.Model.Resources
                .Where(r => r is ProjectResource or ExecutableResource or ContainerResource)
                .Where(r => !r.Name.Equals("aspire-dashboard", StringComparison.Ordinal))
                .ToList();
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.AppHost.Progress");
            var progress = new ResourceProgressLog(logger, clock, watched);
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => progress.WatchAsync(e.Services.GetRequiredService<ResourceNotificationService>(), stopping), stopping);
            return Task.CompletedTask;
        });
        return builder;
    }
}
