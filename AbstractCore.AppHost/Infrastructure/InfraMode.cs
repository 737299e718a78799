namespace AbstractCore.AppHost.Infrastructure;

/// <summary>How <c>cache</c> (Redis) and <c>messaging</c> (RabbitMQ) are provided; set with <c>Infra:Mode</c>.</summary>
internal enum InfraMode
{
    /// <summary>
    /// Containers when an engine answers, else local executables when installed, else connection strings when set,
    /// else embedded.
    /// </summary>
    Auto,

    /// <summary>Aspire's Redis and RabbitMQ containers (needs docker or podman).</summary>
    Container,

    /// <summary><c>redis-server</c> and <c>rabbitmq-server</c> run as local processes on loopback.</summary>
    Executable,

    /// <summary>Existing servers named by <c>ConnectionStrings:cache</c> and <c>ConnectionStrings:messaging</c>.</summary>
    External,

    /// <summary>
    /// No Redis and no RabbitMQ: the api keeps its state in memory and runs jobs itself; the jobs worker is not started.
    /// Nothing to install, nothing persists.
    /// </summary>
    Embedded,
}

/// <summary>The mode in force and why it was picked, for the startup log.</summary>
internal sealed record InfraChoice(InfraMode Mode, string Reason);
