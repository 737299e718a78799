using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace AbstractCore.Api.Spend;

/// <summary>
/// Flushes the <see cref="SpendLedger"/> every <see cref="IntervalSetting"/> (2 s by default: a replica's spend reaches the others' budgets
/// that much later; rows are per key and day, so a longer interval sends fewer of them) and writes the standalone
/// ledger's file every few seconds; at shutdown, one last flush and write, so a restart loses nothing.
/// </summary>
internal sealed partial class SpendFlusher(SpendLedger ledger, IConfiguration configuration, ILogger<SpendFlusher> logger) : BackgroundService
{
    /// <summary>Milliseconds between two flushes (internal: tests shorten it).</summary>
    public const string IntervalSetting = "ABSTRACTCORE_SPEND_FLUSH_MS";

    /// <summary>How long the last flush at shutdown may wait for Redis: past it, what is left is lost with the process.</summary>
    private static readonly TimeSpan LastFlushTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(5);

    public TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(
        int.TryParse(configuration[IntervalSetting], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms >= 10 ? ms : 2000);

    [SuppressMessage("Design", "CA1031", Justification = "A bug in a flush must not stop the gateway (a background service's failure stops the host); the spend stays pending.")]
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the startup path: the first call to Redis waits up to its connect timeout when it is down.
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval);
        var persisted = DateTime.UtcNow;
        try
        {
            var failing = false;
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ledger.FlushAsync(stoppingToken);
                    if (DateTime.UtcNow - persisted >= PersistInterval)
                    {
                        await ledger.PersistAsync(stoppingToken);
                        persisted = DateTime.UtcNow;
                    }

                    failing = false;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A bug, not an outage (the ledger keeps those pending itself): logged once, until a flush succeeds.
                    if (!failing)
                    {
                        failing = true;
                        LogFailed(logger, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LastFlushTimeout);
        try
        {
            await ledger.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Redis did not answer in time; the file below still gets what the local store holds.
        }

        await ledger.PersistAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Spend: a flush failed; this is a gateway bug, please report it. Spend is kept in memory and the flush is tried again every interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
