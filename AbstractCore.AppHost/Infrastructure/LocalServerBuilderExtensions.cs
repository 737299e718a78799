using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>Executable mode: Redis and RabbitMQ as local processes, each bound to loopback on a free port.</summary>
internal static class LocalServerBuilderExtensions
{
    public static InfraResources AddLocalServers(this IDistributedApplicationBuilder builder, LocalServers servers)
    {
        var instance = LocalInstance.Create();
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            // ApplicationStopped fires after every hosted service has stopped, the orchestrator included, and the
            // orchestrator stops only once the executables it ran have exited: nothing writes to the folder any more.
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.AppHost.Infrastructure");
            e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
            {
                if (instance.Delete() is { } error)
                {
                    InfraLog.FolderKept(logger, instance.Directory, error);
                }
            });
            return Task.CompletedTask;
        });
        return new(builder.AddRedisServer(servers.Redis!, instance), builder.AddRabbitMqServer(servers, instance));
    }

    private static IResourceBuilder<RedisServerResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, string redisServer, LocalInstance instance)
    {
        var port = LocalPorts.Next();
        return builder.AddResource(new RedisServerResource(InfraNames.Cache, redisServer, instance.Directory, port))
            .WithArgs("--port", Text(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", instance.Directory)
            .WithEndpoint(port: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithProbe(builder, ProtocolProbe.RedisPing(port));
    }

    private static IResourceBuilder<RabbitMqServerResource> AddRabbitMqServer(
        this IDistributedApplicationBuilder builder, LocalServers servers, LocalInstance instance)
    {
        var (amqpPort, distPort, epmdPort) = (LocalPorts.Next(), LocalPorts.Next(), LocalPorts.Next());
        var home = instance.Folder("rabbitmq");

        // RabbitMQ needs the Erlang port mapper. Left to itself, the node would start a daemon that outlives the
        // AppHost, so epmd is a resource of its own, on its own port, stopped with everything else.
        var epmd = builder.AddExecutable($"{InfraNames.Messaging}-epmd", servers.Epmd!, instance.Directory,
                "-address", "127.0.0.1", "-port", Text(epmdPort))
            .WithEndpoint(port: epmdPort, name: "tcp", scheme: "tcp", isProxied: false)
            .WithProbe(builder, ProtocolProbe.EpmdNames(epmdPort));

        var rabbit = builder.AddResource(new RabbitMqServerResource(InfraNames.Messaging, servers.RabbitMq!, instance.Directory, amqpPort))
            .WithEnvironment("RABBITMQ_NODENAME", $"acore-{instance.Id}@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", Text(amqpPort))
            .WithEnvironment("RABBITMQ_DIST_PORT", Text(distPort))
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("ERL_EPMD_PORT", Text(epmdPort))
            .WithEnvironment("HOME", home)
            .WithEnvironment("RABBITMQ_MNESIA_BASE", instance.Folder("rabbitmq/mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", instance.Folder("rabbitmq/log"))
            .WithEnvironment("RABBITMQ_LOGS", "-") // to stdout, so the dashboard shows it
            // Private (absent) config files: the machine's /etc/rabbitmq must not change this node.
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(home, "rabbitmq-env.conf"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(home, "rabbitmq"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(home, "enabled_plugins"))
            .WithEndpoint(port: amqpPort, name: "tcp", scheme: "amqp", isProxied: false)
            .WithProbe(builder, ProtocolProbe.AmqpHeader(amqpPort))
            .WaitFor(epmd);

        epmd.WithParentRelationship(rabbit);
        return rabbit;
    }

    private static IResourceBuilder<T> WithProbe<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, ProtocolProbe probe)
        where T : IResource
    {
        var key = $"{resource.Resource.Name}-protocol";
        builder.Services.AddHealthChecks().AddCheck(key, probe);
        return resource.WithHealthCheck(key);
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
