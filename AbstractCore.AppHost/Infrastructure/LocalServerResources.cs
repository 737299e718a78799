using System.Globalization;

namespace AbstractCore.AppHost.Infrastructure;

/// <summary>A <c>redis-server</c> process on loopback that other resources reference like Aspire's Redis container.</summary>
internal sealed class RedisServerResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>A <c>rabbitmq-server</c> node on loopback that other resources reference like Aspire's RabbitMQ container.</summary>
internal sealed class RabbitMqServerResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public int Port { get; } = port;

    // guest/guest is RabbitMQ's built-in account, accepted on loopback only.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://guest:guest@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");
}
