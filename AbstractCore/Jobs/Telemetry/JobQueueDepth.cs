using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AbstractCore.Jobs.Telemetry;

/// <summary>
/// <c>abstractcore.jobs.queued</c>: the messages waiting in the job queue (<c>acore-media-jobs</c>) as the consuming
/// worker sees them, an observable gauge. The broker is asked (a passive declare on a connection of its own) only when
/// the gauge is read and its last figure is older than <see cref="RefreshAfter"/>, in the background: nothing happens
/// while no one collects the metric.
/// </summary>
internal sealed class JobQueueDepth(JobsTelemetry telemetry, string connectionString) : IHostedService, IAsyncDisposable
{
    public const string QueuedInstrument = "abstractcore.jobs.queued";

    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(5);

    private static readonly KeyValuePair<string, object?> QueueTag = new("messaging.destination.name", JobSettings.QueueName);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private long _refreshedAt;
    private int _refreshing;
    private long _depth = -1;
    private volatile bool _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        telemetry.Meter.CreateObservableGauge(QueuedInstrument, Observe, "{message}", "Job messages waiting in the queue.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        return Task.CompletedTask;
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        var stale = _refreshedAt == 0 || Stopwatch.GetElapsedTime(Interlocked.Read(ref _refreshedAt)) > RefreshAfter;
        if (stale && !_stopped && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = Task.Run(RefreshAsync);
        }

        var depth = Interlocked.Read(ref _depth);
        return depth < 0 ? [] : [new Measurement<long>(depth, QueueTag)];
    }

    private async Task RefreshAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                var factory = new ConnectionFactory
                {
                    Uri = new Uri(connectionString),
                    AutomaticRecoveryEnabled = false,
                    TopologyRecoveryEnabled = false,
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                    ClientProvidedName = "abstractcore-jobs-metrics",
                };
                _connection = await factory.CreateConnectionAsync();
            }

            await using var channel = await _connection.CreateChannelAsync();
            var queue = await channel.QueueDeclarePassiveAsync(JobSettings.QueueName);
            Interlocked.Exchange(ref _depth, queue.MessageCount);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            Interlocked.Exchange(ref _depth, 0); // no queue yet: nothing was ever sent
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException or TimeoutException
                                      or AlreadyClosedException or System.Net.Sockets.SocketException)
        {
            Interlocked.Exchange(ref _depth, -1); // unknown while the broker cannot be asked
        }
        finally
        {
            Interlocked.Exchange(ref _refreshedAt, Stopwatch.GetTimestamp());
            _gate.Release();
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopped = true;
        await _gate.WaitAsync();
        try
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
