using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;
using AbstractCore.Providers;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// What the media routes do around their upstream call: resolve the endpoint with the request's key and base_url under
/// the same rules as chat (every media route, images and videos included), then, for the streamed ones (embeddings,
/// audio, music, voice clone), run under the server's deadline (<see cref="UpstreamDeadline"/>: a slow upstream is a
/// 504, a client that left cancels the upstream request) and map failures.
/// </summary>
internal sealed partial class MediaUpstream(ProviderResolver providers, UpstreamHttp http, GatewaySettings settings, ILogger<MediaUpstream> logger)
{
    /// <summary>The one place media routes resolve an upstream, so key and base_url policy changes land here once.
    /// A provider with no base URL anywhere is a backend this server lacks: 501 naming the setting.</summary>
    public Task<ProviderEndpoint> ResolveAsync(HttpContext context, ProviderDescriptor provider, string? baseUrl) =>
        ResolveAsync(context, provider, baseUrl, context.Request.Headers.ProviderKey(settings.AuthEnabled));

    /// <param name="key">The caller's provider key as the route reads it (a job has none: see <c>MediaCaller.Job</c>).</param>
    public Task<ProviderEndpoint> ResolveAsync(HttpContext context, ProviderDescriptor provider, string? baseUrl, string? key)
    {
        if (string.IsNullOrWhiteSpace(baseUrl) && providers.ConfiguredBaseUrl(provider) is null)
        {
            throw new GatewayException(501,
                $"Provider '{provider.Name}' is not configured on this server: set {string.Join(" or ", provider.BaseUrlSettings)}, " +
                "or pass base_url in the request.", "not_implemented", "model", "capability_not_configured");
        }

        return providers.ResolveAsync(provider, new ProviderRequest(baseUrl, key, ServerAuth.IsAuthenticated(context)), context.RequestAborted);
    }

    public async Task RunAsync(HttpContext context, string provider, Func<CancellationToken, Task> call)
    {
        try
        {
            await UpstreamDeadline.RunAsync(provider, settings.UpstreamTimeout, async token =>
            {
                await call(token);
                return true;
            }, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientLeft(logger, context.Request.Path);
        }
        catch (Exception e) when (e is not OperationCanceledException && context.Response.HasStarted)
        {
            // Audio bytes already went out: cut the connection so the client sees a truncated body, not a complete one.
            LogBrokenStream(logger, context.Request.Path, (e as GatewayException ?? UpstreamFailure.From(e, provider)).Message);
            context.Abort();
        }
        catch (Exception e) when (e is not GatewayException and not OperationCanceledException)
        {
            throw UpstreamFailure.From(e, provider);
        }
    }

    /// <summary>
    /// POSTs <paramref name="content"/> to <c>{base}{path}</c> under <see cref="RunAsync"/> and copies the answer to the
    /// client as it arrives (audio is not buffered), after <paramref name="head"/> has set the response's headers.
    /// </summary>
    /// <param name="read">When given, a JSON answer is read whole first (a transcript is small) and handed to it before
    /// the client's body is written, so the route can bill from what the answer says; any other answer streams through
    /// as always, and it gets null.</param>
    public Task RelayAsync(
        HttpContext context, ProviderEndpoint endpoint, string path, Func<HttpContent> content, Action<HttpResponseMessage> head,
        Action<byte[]?>? read = null) =>
        RunAsync(context, endpoint.Provider.Name, async token =>
        {
            using var request = UpstreamRequests.Create(endpoint, HttpMethod.Post, path);
            request.Content = content();
            using var response = await UpstreamRequests.SendAsync(http.For(endpoint), request, token);
            head(response);
            if (read is not null)
            {
                if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
                {
                    read(null);
                }
                else
                {
                    var answer = await response.Content.ReadAsByteArrayAsync(token);
                    read(answer);
                    context.Response.ContentLength = answer.Length;
                    await context.Response.Body.WriteAsync(answer, token);
                    return;
                }
            }

            if (response.Content.Headers.ContentLength is { } length)
            {
                context.Response.ContentLength = length;
            }

            var body = await response.Content.ReadAsStreamAsync(token);
            await using (body)
            {
                await context.Response.StartAsync(token);
                await body.CopyToAsync(context.Response.Body, token);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path}: the upstream body broke after it started: {Message}")]
    private static partial void LogBrokenStream(ILogger logger, string path, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Path}: the client disconnected; the upstream call was cancelled")]
    private static partial void LogClientLeft(ILogger logger, string path);
}
