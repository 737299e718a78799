using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Infrastructure;

internal static class InfraBuilderExtensions
{
    /// <summary>Adds <c>cache</c> and <c>messaging</c> the way <c>Infra:Mode</c> says, and logs the mode and why.</summary>
    public static InfraResources AddInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var servers = LocalServers.Find(builder.Configuration);
        var choice = InfraModeSelector.Choose(builder, servers);

        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.AppHost.Infrastructure");
            InfraLog.ModeChosen(logger, choice.Mode, choice.Reason);
            if (choice.Mode == InfraMode.Embedded)
            {
                var asked = ServiceSettings.ApiReplicas(builder.Configuration);
                InfraLog.EmbeddedLimits(logger, asked > 1 ? $" ({ServiceSettings.ApiReplicasKey} = {asked} is ignored)" : "");
            }

            return Task.CompletedTask;
        });

        return choice.Mode switch
        {
            InfraMode.Container => new(builder.AddRedis(InfraNames.Cache), builder.AddRabbitMQ(InfraNames.Messaging)),
            InfraMode.Executable => builder.AddLocalServers(servers),
            InfraMode.External => new(builder.AddConnectionString(InfraNames.Cache), builder.AddConnectionString(InfraNames.Messaging)),
            InfraMode.Embedded => InfraResources.Embedded,
            _ => throw new InvalidOperationException($"Unexpected infrastructure mode {choice.Mode}."),
        };
    }

    /// <summary>References and waits for <c>cache</c> and <c>messaging</c> when there are any (not in embedded mode).</summary>
    public static IResourceBuilder<T> WithInfrastructure<T>(this IResourceBuilder<T> resource, InfraResources infra)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        foreach (var server in new[] { infra.Cache, infra.Messaging })
        {
            if (server is not null)
            {
                resource.WithReference(server).WaitFor(server);
            }
        }

        return resource;
    }
}
