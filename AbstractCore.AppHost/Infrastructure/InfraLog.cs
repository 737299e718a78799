using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Infrastructure;

internal static partial class InfraLog
{
    [LoggerMessage(1, LogLevel.Information, "Infrastructure mode: {Mode} ({Reason})")]
    public static partial void ModeChosen(ILogger logger, InfraMode mode, string reason);
}
