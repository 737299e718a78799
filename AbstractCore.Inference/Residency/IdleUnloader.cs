namespace AbstractCore.Inference.Residency;

/// <summary>Frees the memory of models loaded with <c>ttl_s</c> once they have been idle that long, even when nobody asks.</summary>
internal sealed partial class IdleUnloader(ModelResidency residency, ILogger<IdleUnloader> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (residency.UnloadIdle() is > 0 and var count)
            {
                LogUnloaded(logger, count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {Count} model(s) idle past their ttl_s")]
    private static partial void LogUnloaded(ILogger logger, int count);
}
