using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Progress;

internal static partial class ProgressLog
{
    [LoggerMessage(1, LogLevel.Information, "{Resource}: waiting for {Awaited} ({Seconds:0.0} s)")]
    public static partial void Waiting(ILogger logger, string resource, string awaited, double seconds);

    [LoggerMessage(2, LogLevel.Information, "{Resource}: started ({Seconds:0.0} s)")]
    public static partial void Started(ILogger logger, string resource, double seconds);

    [LoggerMessage(3, LogLevel.Information, "{Resource}: ready ({Seconds:0.0} s)")]
    public static partial void Ready(ILogger logger, string resource, double seconds);

    [LoggerMessage(4, LogLevel.Error, "{Resource}: failed to start ({Seconds:0.0} s); its log is on the dashboard")]
    public static partial void FailedToStart(ILogger logger, string resource, double seconds);

    [LoggerMessage(5, LogLevel.Warning, "{Resource}: exited with code {ExitCode} ({Seconds:0.0} s); its log is on the dashboard")]
    public static partial void Exited(ILogger logger, string resource, string exitCode, double seconds);

    [LoggerMessage(6, LogLevel.Error, "{Resource}: the container runtime is unhealthy ({Seconds:0.0} s)")]
    public static partial void RuntimeUnhealthy(ILogger logger, string resource, double seconds);

    [LoggerMessage(7, LogLevel.Information, "All {Count} resources are ready ({Seconds:0.0} s)")]
    public static partial void AllReady(ILogger logger, int count, double seconds);
}
