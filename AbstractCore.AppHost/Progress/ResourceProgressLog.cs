using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Progress;

/// <summary>
/// A few lines per resource while the system comes up (waiting, started, ready, failed, exited), with the seconds
/// since the AppHost started: the first start builds and boots everything and is otherwise silent for a minute.
/// </summary>
internal sealed class ResourceProgressLog(ILogger logger, Stopwatch clock, IReadOnlyCollection<IResource> watched)
{
    private readonly Dictionary<string, Instance> _instances = [];
    private readonly HashSet<string> _readyNames = [];
    private readonly HashSet<string> _hiddenNames = [];
    private bool _allReadyLogged;

    public async Task WatchAsync(ResourceNotificationService notifications, CancellationToken stopping)
    {
        try
        {
            await foreach (var e in notifications.WatchAsync(stopping))
            {
                if (!watched.Contains(e.Resource))
                {
                    continue;
                }

                // Aspire's own helpers (a project's rebuilder, say) are projects too, hidden from the dashboard.
                if (e.Snapshot.IsHidden)
                {
                    _hiddenNames.Add(e.Resource.Name);
                    continue;
                }

                Observe(e);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost is stopping: what follows is the shutdown, not progress.
        }
    }

    private void Observe(ResourceEvent e)
    {
        if (!_instances.TryGetValue(e.ResourceId, out var instance))
        {
            instance = _instances[e.ResourceId] = new(Label(e), e.Resource.Name);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var state = e.Snapshot.State?.Text;
        if (state == KnownResourceStates.Waiting && instance.Seen.Add(state))
        {
            var awaited = e.Resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Distinct();
            ProgressLog.Waiting(logger, instance.Label, string.Join(", ", awaited), seconds);
        }
        else if (state == KnownResourceStates.Running && instance.Seen.Add(state))
        {
            ProgressLog.Started(logger, instance.Label, seconds);
        }
        else if (state == KnownResourceStates.FailedToStart && instance.Seen.Add(state))
        {
            ProgressLog.FailedToStart(logger, instance.Label, seconds);
        }
        else if (state == KnownResourceStates.RuntimeUnhealthy && instance.Seen.Add(state))
        {
            ProgressLog.RuntimeUnhealthy(logger, instance.Label, seconds);
        }
        else if ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && instance.Seen.Add(state))
        {
            ProgressLog.Exited(logger, instance.Label, e.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", seconds);
        }

        if (state == KnownResourceStates.Running && e.Snapshot.HealthStatus == HealthStatus.Healthy && !instance.Ready)
        {
            instance.Ready = true;
            ProgressLog.Ready(logger, instance.Label, seconds);
            LogWhenAllReady(e.Resource, seconds);
        }
    }

    private void LogWhenAllReady(IResource resource, double seconds)
    {
        var replicas = Replicas(resource);
        if (_instances.Values.Count(i => i.Ready && i.Name == resource.Name) >= replicas)
        {
            _readyNames.Add(resource.Name);
        }

        if (!_allReadyLogged && watched.All(r => _readyNames.Contains(r.Name) || _hiddenNames.Contains(r.Name)))
        {
            _allReadyLogged = true;
            ProgressLog.AllReady(logger, _readyNames.Count, seconds);
        }
    }

    // Replicas share the resource's name; only then is the instance id (api-abc123) worth showing.
    private static string Label(ResourceEvent e) => Replicas(e.Resource) > 1 ? e.ResourceId : e.Resource.Name;

    private static int Replicas(IResource resource) =>
        resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    private sealed class Instance(string label, string name)
    {
        public string Label { get; } = label;

        public string Name { get; } = name;

        public HashSet<string> Seen { get; } = [];

        public bool Ready { get; set; }
    }
}
