using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Hosting;

namespace AbstractCore.Jobs;

/// <summary>
/// The job runs (claim, upstream call, stored result) in flight in this process, detached from the messages that
/// started them. A message's cancellation means its delivery is gone (the broker connection dropped), not that a paid
/// generation should stop: the run goes on to its own timeout and stores its result, and a redelivered message for the
/// same job joins the run instead of calling the upstream again. Only the host stopping cancels runs, and only once its
/// shutdown timeout has run out (until then they are waited for). Holds the concurrency cap too, so runs whose
/// deliveries are gone still count against it.
/// </summary>
internal sealed class JobRuns(JobSettings settings) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, Task<JobRunOutcome>> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(settings.Concurrency, settings.Concurrency);
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>The run of job <paramref name="id"/> in flight here (Started false), or a new run of <paramref name="run"/>.</summary>
    public (Task<JobRunOutcome> Run, bool Started) GetOrStart(string id, Func<CancellationToken, Task<JobRunOutcome>> run)
    {
        while (true)
        {
            if (_runs.TryGetValue(id, out var existing))
            {
                return (existing, false);
            }

            var done = new TaskCompletionSource<JobRunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_runs.TryAdd(id, done.Task))
            {
                _ = RunAsync(id, done, run);
                return (done.Task, true);
            }
        }
    }

    [SuppressMessage("Design", "CA1031", Justification = "Any failure becomes the outcome every waiter on this run receives.")]
    private async Task RunAsync(string id, TaskCompletionSource<JobRunOutcome> done, Func<CancellationToken, Task<JobRunOutcome>> run)
    {
        JobRunOutcome? outcome = null;
        Exception? failure = null;
        try
        {
            await _slots.WaitAsync(_stopping.Token);
            try
            {
                outcome = await run(_stopping.Token);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            outcome = JobRunOutcome.Cancelled;
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Gone from the table before anyone sees the outcome: a delivery that joined looks again and finds the job's state.
        _runs.TryRemove(new KeyValuePair<string, Task<JobRunOutcome>>(id, done.Task));
        if (failure is null)
        {
            done.TrySetResult(outcome!);
        }
        else
        {
            done.TrySetException(failure);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Registered before MassTransit, so it stops after it: the bus has stopped taking messages, and runs whose deliveries
    /// are gone get the rest of the host's shutdown timeout; then they are cancelled (their messages go back to the
    /// queue unacknowledged, and the next run asks the upstream again with the same Idempotency-Key).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Their outcomes belong to their deliveries: only wait here (until the deadline), never throw.
        await ((Task)Task.WhenAll(_runs.Values)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The host disposed this while the wait above ran out (its shutdown timeout): Dispose already cancelled the runs.
        }
    }

    /// <summary>Idempotent: the container disposes this once as a singleton and once as the hosted service it also is.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
            _slots.Dispose();
        }
    }
}

/// <summary>How a run ended. Every outcome but <see cref="Transient"/> and <see cref="Cancelled"/> is already in the store.</summary>
internal sealed record JobRunOutcome(GatewayException? Transient = null, bool IsCancelled = false)
{
    public static JobRunOutcome Done { get; } = new();

    public static JobRunOutcome Cancelled { get; } = new(IsCancelled: true);
}
