using System.Diagnostics.CodeAnalysis;
using AbstractCore.Jobs.Contracts;
using AbstractCore.Jobs.Telemetry;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AbstractCore.Jobs;

/// <summary>
/// Whether a process that only sends jobs (the Api with RabbitMQ) can send one now. MassTransit's own check
/// (<c>masstransit-bus</c>) looks only at receive endpoints, and such a bus has none, so it says "Ready" with the
/// broker gone; this one asks the broker instead: it must accept a connection (<see cref="RabbitMqHealthCheck"/>:
/// fails at once, naming why) and then a probe message sent through the bus itself, to an exchange without bindings
/// (RabbitMQ confirms and drops it), within <see cref="JobSettings.SendTimeout"/>. Concurrent checks share one probe.
/// </summary>
internal sealed class JobQueueHealthCheck(RabbitMqHealthCheck broker, IBus bus, JobSettings settings) : IHealthCheck
{
    private static readonly Uri Probe = new("exchange:acore-health-probe?durable=false&autodelete=true&type=fanout");
    private readonly Lock _lock = new();
    private Task<HealthCheckResult>? _probing;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_probing is not { IsCompleted: false })
            {
                _probing = ProbeAsync(context);
            }

            return _probing.WaitAsync(cancellationToken);
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "Any failure to send is the bus being unhealthy, which this check reports.")]
    private async Task<HealthCheckResult> ProbeAsync(HealthCheckContext context)
    {
        var reachable = await broker.CheckHealthAsync(context, CancellationToken.None);
        if (reachable.Status != HealthStatus.Healthy)
        {
            return new HealthCheckResult(reachable.Status, reachable.Description?.TrimEnd('.') + ". Job submissions answer 503 until it is back.");
        }

        using var timeout = new CancellationTokenSource(settings.SendTimeout);
        try
        {
            var endpoint = await bus.GetSendEndpoint(Probe);
            await endpoint.Send(new BusProbe(DateTimeOffset.UtcNow), timeout.Token);
            return reachable;
        }
        catch (Exception e)
        {
            var why = e is OperationCanceledException ? $"no confirmation within {settings.SendTimeout.TotalSeconds:0.#} s" : e.GetBaseException().Message;
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"{reachable.Description} But a message sent through the job bus was not accepted ({why}): job submissions answer 503.");
        }
    }
}
