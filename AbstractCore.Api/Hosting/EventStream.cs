using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Hosting;

/// <summary>The start of every streamed answer (chat chunks or Responses events), and the flush rule between its items.</summary>
internal static class EventStream
{
    /// <summary>
    /// Waits for the upstream's first update before answering 200, so an upstream that refuses the request
    /// still gets its real status; then sends the event-stream headers with buffering off. On return the
    /// enumerator holds the first update.
    /// </summary>
    public static async Task StartAsync(HttpContext context, IAsyncEnumerator<ChatResponseUpdate> updates, string provider)
    {
        if (!await updates.MoveNextAsync())
        {
            // Not even a role chunk: the body was not a stream of chat chunks.
            throw new GatewayException(502, $"Provider '{provider}' returned an empty or unreadable stream.",
                "upstream_error", code: "upstream_invalid_response");
        }

        Begin(context);
    }

    /// <summary>The event-stream headers, with buffering off.</summary>
    public static void Begin(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>
    /// The next item, flushing what was written only when it is not there yet: items the upstream sent together
    /// leave in one write, and nothing waits in the buffer while the gateway waits for the upstream.
    /// </summary>
    public static async ValueTask<bool> NextAsync<T>(IAsyncEnumerator<T> items, System.IO.Pipelines.PipeWriter pipe, CancellationToken aborted)
    {
        var next = items.MoveNextAsync();
        if (!next.IsCompleted)
        {
            try
            {
                await pipe.FlushAsync(aborted);
            }
            catch
            {
                // The client left: the upstream read ends too (its token is linked to the request's); never leave it pending.
                try
                {
                    await next;
                }
                catch (OperationCanceledException)
                {
                }

                throw;
            }
        }

        return await next;
    }
}
