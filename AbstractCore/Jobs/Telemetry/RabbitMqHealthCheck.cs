using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace AbstractCore.Jobs.Telemetry;

/// <summary>
/// RabbitMQ (the <c>messaging</c> connection) is reachable: one small connection of its own, kept open between checks
/// and opened again when it dropped. The description names host and port, never the credentials in the URI.
/// </summary>
internal sealed class RabbitMqHealthCheck(string connectionString) : IHealthCheck, IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var uri = new Uri(connectionString);
        var where = $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 5672)}";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                    _connection = null;
                }

                var factory = new ConnectionFactory
                {
                    Uri = uri,
                    AutomaticRecoveryEnabled = false,
                    TopologyRecoveryEnabled = false,
                    RequestedConnectionTimeout = ConnectTimeout,
                    ClientProvidedName = "abstractcore-health",
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy($"Connected to RabbitMQ at {where}.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"RabbitMQ at {where} is unreachable: {e.GetBaseException().Message}");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _gate.Dispose();
    }
}
