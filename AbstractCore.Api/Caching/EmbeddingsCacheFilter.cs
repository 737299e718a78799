namespace AbstractCore.Api.Caching;

/// <summary>
/// The response cache in front of <c>POST /v1/embeddings</c>, whose handler reads its own body: the filter reads it first
/// and hands the handler the same bytes from memory. Embeddings are not the hot path, so every request pays that copy.
/// </summary>
internal static class EmbeddingsCacheFilter
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
        request.Body = new MemoryStream(body.GetBuffer(), 0, bytes.Length, writable: false);

        var cache = context.RequestServices.GetRequiredService<ResponseCache>();
        if (cache.ForEmbeddings(context, bytes.Span) is not { } cacheable)
        {
            return await next(invocation);
        }

        object? result = Results.Empty;
        await cache.ServeAsync(context, cacheable, (invocation, next), async (_, s) => result = await s.next(s.invocation));
        return result;
    }
}
