using Microsoft.Extensions.Configuration;

namespace AbstractCore.AppHost.Infrastructure;

internal static class InfraModeSelector
{
    public static InfraChoice Choose(IDistributedApplicationBuilder builder, LocalServers servers)
    {
        var configured = builder.Configuration[InfraNames.ModeKey];
        var mode = string.IsNullOrWhiteSpace(configured) ? InfraMode.Auto
            : Enum.TryParse<InfraMode>(configured, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new InvalidOperationException(
                $"{InfraNames.ModeKey} = '{configured}' is not one of: auto, container, executable, external, embedded.");

        // Publishing describes the deployment target, not this machine: nothing is probed, no local server is used,
        // and Redis and RabbitMQ are containers unless the deployment points at existing servers (external).
        if (builder.ExecutionContext.IsPublishMode)
        {
            return mode == InfraMode.External
                ? new(mode, $"{InfraNames.ModeKey} = external, publishing: connection strings are deployment parameters")
                : new(InfraMode.Container, $"{InfraNames.ModeKey} = {mode}, publishing: the manifest describes containers for the deployment target");
        }

        return mode switch
        {
            InfraMode.Container => new(mode, $"{InfraNames.ModeKey} = container"),
            InfraMode.Executable => servers.AllFound
                ? new(mode, $"{InfraNames.ModeKey} = executable ({servers.Describe()})")
                : throw new InvalidOperationException(
                    $"{InfraNames.ModeKey} = executable, but not every server is installed ({servers.Describe()}). " +
                    "Install them (apt-get install redis-server rabbitmq-server) or choose another mode."),
            InfraMode.External => HasConnectionStrings(builder.Configuration)
                ? new(mode, $"{InfraNames.ModeKey} = external")
                : throw NoInfrastructure($"{InfraNames.ModeKey} = external, but the connection strings are missing."),
            InfraMode.Embedded => new(mode, $"{InfraNames.ModeKey} = embedded"),
            _ => ChooseAutomatically(builder, servers),
        };
    }

    private static InfraChoice ChooseAutomatically(IDistributedApplicationBuilder builder, LocalServers servers)
    {
        var (runtime, probe) = ContainerRuntimeProbe.Find(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]);
        if (runtime is not null)
        {
            // Tell Aspire which engine answered, in case it is not its default (docker).
            builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ??= runtime;
            return new(InfraMode.Container, $"auto: {probe}");
        }

        if (servers.AllFound)
        {
            return new(InfraMode.Executable, $"auto: no container engine ({probe}); local servers found ({servers.Describe()})");
        }

        if (HasConnectionStrings(builder.Configuration))
        {
            return new(InfraMode.External,
                $"auto: no container engine ({probe}), local servers missing ({servers.Describe()}); connection strings are set");
        }

        // A machine with only the .NET SDK: the system still runs, in one process's memory, rather than not at all.
        return new(InfraMode.Embedded,
            $"auto: no container engine ({probe}), local servers missing ({servers.Describe()}), no connection strings. " +
            "For Redis and RabbitMQ install them (apt-get install redis-server rabbitmq-server), start a container engine, " +
            $"or set ConnectionStrings__{InfraNames.Cache} and ConnectionStrings__{InfraNames.Messaging}");
    }

    private static bool HasConnectionStrings(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(InfraNames.Cache))
        && !string.IsNullOrWhiteSpace(configuration.GetConnectionString(InfraNames.Messaging));

    private static InvalidOperationException NoInfrastructure(string why) => new(
        $"{why} AbstractCore needs Redis ('{InfraNames.Cache}') and RabbitMQ ('{InfraNames.Messaging}'). Either install " +
        "the servers (apt-get install redis-server rabbitmq-server) for executable mode, or point at existing ones with " +
        $"ConnectionStrings__{InfraNames.Cache}=<host:port> and ConnectionStrings__{InfraNames.Messaging}=<amqp://user:pass@host:port> " +
        $"(and {InfraNames.ModeKey.Replace(":", "__", StringComparison.Ordinal)}=external), or start a container engine, " +
        $"or run without them: {InfraNames.ModeKey.Replace(":", "__", StringComparison.Ordinal)}=embedded.");
}
