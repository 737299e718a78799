using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Infrastructure;

internal static partial class InfraLog
{
    [LoggerMessage(1, LogLevel.Information, "Infrastructure mode: {Mode} ({Reason})")]
    public static partial void ModeChosen(ILogger logger, InfraMode mode, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Could not remove this run's server folder {Directory} ({Error}); a later run removes it after a day")]
    public static partial void FolderKept(ILogger logger, string directory, string error);

    [LoggerMessage(3, LogLevel.Warning,
        "Embedded mode: no Redis and no RabbitMQ. The api keeps responses, jobs and caches in memory and runs jobs in its own " +
        "process: nothing persists across restarts, the jobs worker is not started, and the api runs as one replica{Replicas}.")]
    public static partial void EmbeddedLimits(ILogger logger, string replicas);
}
