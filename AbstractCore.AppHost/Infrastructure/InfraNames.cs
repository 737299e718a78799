namespace AbstractCore.AppHost.Infrastructure;

/// <summary>Resource and configuration names; the resource names are the same in every mode.</summary>
internal static class InfraNames
{
    public const string Cache = "cache";
    public const string Messaging = "messaging";

    public const string ModeKey = "Infra:Mode";
    public const string RedisServerKey = "Infra:RedisServer";
    public const string RabbitMqServerKey = "Infra:RabbitMqServer";
    public const string EpmdKey = "Infra:Epmd";

    public const string DefaultRedisServer = "redis-server";

    /// <summary>The real start script: the <c>/usr/sbin</c> wrapper switches to the rabbitmq user.</summary>
    public const string DefaultRabbitMqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public const string DefaultEpmd = "epmd";
}
