using AbstractCore.Api.Capabilities;
using AbstractCore.Capabilities;
using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Api.Media;

/// <summary>
/// Picks every media request's target in one order: the path provider (<c>/{provider}/v1/…</c>, as for chat), else the
/// body's <c>provider</c> / <c>provider/model</c>, else the capability default of its <see cref="MediaRoute"/>, else the
/// route family's fallback (vision: the server's default; audio: a 501 naming what to configure). Local plugins the
/// original hosted are refused whichever step named them.
/// </summary>
internal sealed class MediaRouter(ICapabilityDefaultsStore defaults, ProviderResolver providers, IConfiguration configuration)
{
    private static readonly string[] VisionModelSettings = ["ABSTRACTCORE_VISION_MODEL_ID", "ABSTRACTVISION_MODEL_ID"];

    public async Task<MediaTarget> ResolveAsync(MediaRoute route, MediaHead head, string? pathProvider, CancellationToken cancellationToken)
    {
        var model = Trimmed(head.Model);
        var provider = pathProvider ?? Trimmed(head.Provider);
        var baseUrl = Trimmed(head.BaseUrl);
        if (model is null && provider is null &&
            await defaults.FindAsync(route.Kind, route.Modality, route.Task, cancellationToken) is { ModelReference: { } reference } configured)
        {
            model = reference;
            baseUrl ??= Trimmed(configured.BaseUrl);
        }

        var (name, id) = Pick(route, model, provider);
        var target = new MediaTarget(name, id, baseUrl);
        LocalPlugins.Refuse(route, target);
        return target;
    }

    public static GatewayException NotConfigured(MediaRoute route) => new(501,
        $"{route.Name} has no backend configured. Pass 'model' as provider/model (for example '{route.ExampleModel}') with that " +
        $"provider set up on the server (its API key or base URL setting), or set a default with PUT {route.DefaultPath}.",
        "not_implemented", "model", "capability_not_configured");

    private (string Provider, string? Model) Pick(MediaRoute route, string? model, string? provider)
    {
        if (provider is not null)
        {
            return (provider.ToLowerInvariant(), model is null ? null : ModelRef.ForPath(model, provider).Model);
        }

        if (model is not null && model.Contains('/', StringComparison.Ordinal))
        {
            var parsed = ModelRef.Parse(model);
            return (parsed.Provider, parsed.Model);
        }

        if (route.Family == MediaFamily.Vision)
        {
            return VisionFallback(route, model);
        }

        throw model is null
            ? NotConfigured(route)
            : GatewayException.BadRequest(
                $"'model' must name its provider, as 'provider/model' (for example '{route.ExampleModel}'), or use a provider-scoped route.", "model");
    }

    /// <summary>The original's vision default: <c>ABSTRACTCORE_VISION_MODEL_ID</c> (a provider/model), else the configured
    /// OpenAI-compatible endpoint with the request's bare model (or the upstream's default).</summary>
    private (string Provider, string? Model) VisionFallback(MediaRoute route, string? model)
    {
        if (model is null && VisionModelSettings.Select(n => configuration[n])
                .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v) && v.Contains('/', StringComparison.Ordinal)) is { } fallback)
        {
            var parsed = ModelRef.Parse(fallback.Trim());
            return (parsed.Provider, parsed.Model);
        }

        var compatible = ProviderCatalog.Get("openai-compatible");
        return providers.ConfiguredBaseUrl(compatible) is not null
            ? (compatible.Name, model)
            : throw new GatewayException(501,
                $"No {route.Surface} backend is configured. Set OPENAI_COMPATIBLE_BASE_URL (or OPENAI_BASE_URL) to an OpenAI-compatible " +
                "endpoint, set ABSTRACTCORE_VISION_MODEL_ID to a provider/model default, or pass model as provider/model.",
                "not_implemented", "model", route.Surface + "_not_configured");
    }

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
