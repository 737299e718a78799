namespace AbstractCore.Jobs.Tests;

/// <summary>Real Redis and RabbitMQ (private servers), started once for each test class that takes them.</summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = new();
    public RabbitMqServerFixture RabbitMq { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Redis.InitializeAsync(), RabbitMq.InitializeAsync());

    public async Task DisposeAsync()
    {
        await RabbitMq.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
