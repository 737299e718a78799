namespace AbstractCore.Jobs.Worker;

/// <summary>Which job store and message transport this worker uses, from the Aspire connection strings.</summary>
internal sealed record JobsTransports(string Store, string Messaging)
{
    public const string InMemory = "in-memory";

    public static JobsTransports From(IConfiguration configuration) => new(
        JobSettings.HasRedis(configuration) ? "redis" : InMemory,
        JobSettings.RabbitMq(configuration) is null ? InMemory : "rabbitmq");
}
