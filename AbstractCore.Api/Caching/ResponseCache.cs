using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;

namespace AbstractCore.Api.Caching;

/// <summary>
/// The exact response cache of chat completions and embeddings, for requests that opt in (<see cref="CacheDirective"/>),
/// on HybridCache: L1 in process, Redis as L2 when the gateway has one. A hit is replayed as it was sent
/// (<see cref="CacheReplay"/>) and billed as a hit; a miss runs the handler with its answer copied on the way out
/// (<see cref="AnswerCapture"/>) and stores it when it is complete and successful.
/// <para>
/// Concurrent identical misses each call the upstream. HybridCache's stampede protection does not fit the capture: its
/// followers would wait, seeing nothing, for the leader's whole stream, and a leader whose answer is not stored (an error,
/// a client that left) would leave them nothing to replay.
/// </para>
/// </summary>
internal sealed class ResponseCache(HybridCache cache, GatewaySettings settings, TimeProvider clock, IDistributedCache? l2 = null)
{
    public const string Header = "X-AbstractCore-Cache";

    /// <summary>A lookup: L1, then L2; never a factory (the handler is the factory, and runs only on a miss).</summary>
    private static readonly HybridCacheEntryOptions LookupOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

    /// <summary>With Redis behind it, L1 keeps an entry at most this long, so process memory follows recent traffic rather
    /// than every TTL; without Redis, L1 is the cache and keeps the entry for its TTL.</summary>
    private static readonly TimeSpan LocalTtlWithL2 = TimeSpan.FromMinutes(5);

    /// <summary>The chat request, when it opts in and the cache may answer it; else null (the request pays nothing more).</summary>
    public CacheableRequest? ForChat(HttpContext context, ReadOnlySpan<byte> body, string? pathProvider) =>
        CacheDirective.Read(context, body) is { } directive ? CacheableRequest.Chat(body, directive, pathProvider, ProviderKey(context)) : null;

    public CacheableRequest? ForEmbeddings(HttpContext context, ReadOnlySpan<byte> body) =>
        CacheDirective.Read(context, body) is { } directive ? CacheableRequest.Embeddings(body, directive, ProviderKey(context)) : null;

    /// <summary>Answers from the cache, or runs <paramref name="handle"/> and keeps its answer.</summary>
    public async Task ServeAsync<TState>(HttpContext context, CacheableRequest request, TState state, Func<HttpContext, TState, Task> handle)
    {
        KeyAccess.RequireModel(context, request.Model);
        var response = context.Response;
        if (await LookupAsync(request, context.RequestAborted) is { } answer)
        {
            response.Headers[Header] = "hit";
            if (RequestBill.Of(context) is { } bill)
            {
                var slash = request.Model.IndexOf('/', StringComparison.Ordinal);
                bill.Hit(slash > 0 ? request.Model[..slash] : "alias", slash > 0 ? request.Model[(slash + 1)..] : request.Model);
            }

            await CacheReplay.WriteAsync(context, answer);
            return;
        }

        response.Headers[Header] = "miss";
        var capture = AnswerCapture.Start(context);
        try
        {
            await handle(context, state);
        }
        finally
        {
            capture.Stop(context);
        }

        if (capture.Answer(context, request.Stream, clock.GetUtcNow()) is { } fresh)
        {
            // Stored before the response ends, so the client's next request finds it. HybridCache logs an L2 write that
            // fails and keeps the entry in L1.
            await cache.SetAsync(request.Key, fresh, Entry(request.Directive.Ttl), cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>The entry, unless it is older than this request's TTL allows (its answer then replaces it).</summary>
    private async ValueTask<CachedAnswer?> LookupAsync(CacheableRequest request, CancellationToken aborted)
    {
        var answer = await cache.GetOrCreateAsync<CachedAnswer?>(request.Key, static _ => ValueTask.FromResult<CachedAnswer?>(null), LookupOnly,
            cancellationToken: aborted);
        return answer is not null && clock.GetUtcNow() - answer.StoredAt <= request.Directive.Ttl ? answer : null;
    }

    private HybridCacheEntryOptions Entry(TimeSpan ttl) => new()
    {
        Expiration = ttl,
        LocalCacheExpiration = l2 is not null && ttl > LocalTtlWithL2 ? LocalTtlWithL2 : ttl,
    };

    private string? ProviderKey(HttpContext context) => context.Request.Headers.ProviderKey(settings.AuthEnabled);
}
