using System.Collections.Concurrent;
using System.Globalization;
using AbstractCore.OpenAI.Models;
using AbstractCore.Providers;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Models;

/// <summary>
/// Asks providers for their models, each under its own short deadline so a dead one never holds up the
/// rest, and keeps successful answers for a short while (listing is called often by clients and UIs).
/// </summary>
internal sealed partial class ModelDiscovery(
    ProviderResolver resolver, ChatBackends backends, IConfiguration configuration, ILogger<ModelDiscovery> logger)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (DateTime Until, List<ModelInfo> Models)> _cache = new(StringComparer.Ordinal);

    /// <summary>Unconfigured local providers (probed on their default ports) already reported absent, at Debug.</summary>
    private readonly ConcurrentDictionary<string, bool> _absentNoted = new(StringComparer.Ordinal);

    private TimeSpan Timeout { get; } =
        double.TryParse(configuration["ABSTRACTCORE_DISCOVERY_TIMEOUT_S"], CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(5);

    internal sealed record Outcome(ProviderDescriptor Provider, string Status, List<ModelInfo> Models, string? Error);

    /// <summary>Providers worth asking without being told: configured ones, and local servers on their usual ports.</summary>
    public IEnumerable<ProviderDescriptor> Probed() =>
        ProviderCatalog.All.Where(p => resolver.IsConfigured(p) || p.Name is "ollama" or "lmstudio");

    public Task<Outcome[]> ListAllAsync(IEnumerable<ProviderDescriptor> providers, bool serverAuthenticated, CancellationToken cancellationToken) =>
        Task.WhenAll(providers.Select(p => ListAsync(
            p, serverAuthenticated ? ProviderRequest.Authenticated : ProviderRequest.Anonymous, cancellationToken)));

    public async Task<Outcome> ListAsync(ProviderDescriptor provider, ProviderRequest request, CancellationToken cancellationToken)
    {
        var (baseUrl, key) = (request.BaseUrl, request.ExplicitKey);
        string? sentKey = null;
        try
        {
            var endpoint = await resolver.ResolveAsync(provider, request, cancellationToken);
            sentKey = endpoint.ApiKey;
            if (_cache.TryGetValue(endpoint.CacheKey, out var hit) && hit.Until > DateTime.UtcNow)
            {
                return new Outcome(provider, "available", hit.Models, null);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            List<ModelInfo> models;
            try
            {
                models = await backends.For(provider).ListModelsAsync(endpoint, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {Timeout.TotalSeconds:0.#} s");
            }

            _cache[endpoint.CacheKey] = (DateTime.UtcNow + CacheFor, models);
            return new Outcome(provider, "available", models, null);
        }
        catch (GatewayException e) when (baseUrl is null && key is null)
        {
            // Not set up (no key, no base URL): nothing to ask. With overrides the caller hears why. A key the server
            // holds but this caller may not use (no server token) makes the provider unavailable to it.
            return new Outcome(provider, e.Code == ServerKeyGuard.UnauthenticatedCode ? "unavailable" : "unconfigured", [], e.Message);
        }
        catch (Exception e) when (e is not GatewayException && UpstreamFailure.RefusalWithin(e) is not null)
        {
            throw UpstreamFailure.RefusalWithin(e)!; // the base_url connect check: the policy's 403, nothing was asked
        }
        catch (Exception e) when (e is not GatewayException && !cancellationToken.IsCancellationRequested)
        {
            var message = KeyScrubbing.Scrub(e is TimeoutException ? e.Message : UpstreamFailure.From(e, provider.Name).Message, sentKey);
            if (baseUrl is null && key is null && !resolver.IsConfigured(provider))
            {
                // A local server nobody set up (Ollama, LM Studio on their default ports): its absence is normal, and
                // listing is called on every page load of many UIs, so say it once and quietly.
                if (_absentNoted.TryAdd(provider.Name, true))
                {
                    LogLocalAbsent(logger, provider.Name, message);
                }
            }
            else
            {
                LogUnavailable(logger, provider.Name, message);
            }

            return new Outcome(provider, "unavailable", [], message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provider {Provider} did not list its models: {Message}")]
    private static partial void LogUnavailable(ILogger logger, string provider, string message);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Provider {Provider} is not configured and did not answer on its default address ({Message}); not said again")]
    private static partial void LogLocalAbsent(ILogger logger, string provider, string message);
}
