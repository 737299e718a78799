namespace AbstractCore.Jobs;

/// <summary>Which job store and message transport this worker would use, from the Aspire connection strings.</summary>
internal sealed record JobsTransports(string Store, string Messaging)
{
    public const string CacheConnectionName = "cache";
    public const string MessagingConnectionName = "messaging";
    public const string InMemory = "in-memory";

    public static JobsTransports From(IConfiguration configuration) => new(
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(CacheConnectionName)) ? InMemory : "redis",
        string.IsNullOrWhiteSpace(configuration.GetConnectionString(MessagingConnectionName)) ? InMemory : "rabbitmq");
}
