using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>Redis and RabbitMQ as the services see them: two resources named <c>cache</c> and <c>messaging</c>.</summary>
internal sealed record InfraResources(
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResourceWithConnectionString> Messaging);

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
            return Task.CompletedTask;
        });

        return choice.Mode switch
        {
            InfraMode.Container => new(builder.AddRedis(InfraNames.Cache), builder.AddRabbitMQ(InfraNames.Messaging)),
            InfraMode.Executable => builder.AddLocalServers(servers),
            InfraMode.External => new(builder.AddConnectionString(InfraNames.Cache), builder.AddConnectionString(InfraNames.Messaging)),
            _ => throw new InvalidOperationException($"Unexpected infrastructure mode {choice.Mode}."),
        };
    }
}
