namespace AbstractCore.Upstream;

/// <summary>
/// The server's deadline on one upstream call, linked to the caller's token so the two can be told apart: past the
/// deadline the call is a 504 naming the provider; a caller that left (client gone, worker stopping) stays a cancellation.
/// </summary>
public static class UpstreamDeadline
{
    public static async Task<T> RunAsync<T>(string provider, TimeSpan timeout, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw UpstreamFailure.Timeout(provider, timeout);
        }
    }
}
