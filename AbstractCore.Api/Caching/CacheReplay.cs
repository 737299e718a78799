using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Caching;

/// <summary>A cache hit, written as the original was: a JSON body whole, a stream frame by frame with a flush after each,
/// so a client sees the same chunks it would have seen from the upstream.</summary>
internal static class CacheReplay
{
    public static async Task WriteAsync(HttpContext context, CachedAnswer answer)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        try
        {
            if (!answer.Stream)
            {
                response.ContentType = answer.ContentType;
                response.ContentLength = answer.Body.Length;
                await response.Body.WriteAsync(answer.Body, aborted);
                return;
            }

            EventStream.Begin(context);
            response.ContentType = answer.ContentType;
            foreach (var frame in SseFrames.Split(answer.Body))
            {
                await response.BodyWriter.WriteAsync(frame, aborted); // writes and flushes
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left; nothing upstream to cancel.
        }
    }
}
