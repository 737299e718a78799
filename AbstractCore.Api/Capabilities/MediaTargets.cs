using AbstractCore.Capabilities;
using AbstractCore.Routing;

namespace AbstractCore.Api.Capabilities;

/// <summary>Where a media request goes: its model (provider from the path, the body or the model itself) and base URL.</summary>
public sealed record MediaTarget(ModelRef Model, string? BaseUrl);

/// <summary>
/// Picks a media request's target: the body's <c>provider/model</c> (the path provider wins, as for chat), else the
/// capability default for its route; with neither, a 501 naming what to configure.
/// </summary>
public sealed class MediaTargets(ICapabilityDefaultsStore defaults)
{
    /// <summary>Model prefixes that meant a local Python plugin in the original; this gateway has none.</summary>
    private static readonly string[] LocalPlugins = ["abstractvoice", "abstractvision", "abstractmusic", "local"];

    public async Task<MediaTarget> ResolveAsync(
        MediaRoute route, string? model, string? pathProvider, string? bodyProvider, string? baseUrl, CancellationToken cancellationToken)
    {
        model = string.IsNullOrWhiteSpace(model) ? null : model.Trim();
        var provider = pathProvider ?? (string.IsNullOrWhiteSpace(bodyProvider) ? null : bodyProvider.Trim().ToLowerInvariant());
        if (model is null && provider is null && await defaults.FindAsync(route.Kind, route.Modality, route.Task, cancellationToken) is { } configured &&
            configured.ModelReference is { } reference)
        {
            return Checked(route, ModelRef.Parse(reference), baseUrl ?? configured.BaseUrl);
        }

        if (model is null)
        {
            return provider is not null
                ? Checked(route, new ModelRef(provider, "default"), baseUrl)
                : throw NotConfigured(route);
        }

        if (provider is not null)
        {
            return Checked(route, ModelRef.ForPath(model, provider), baseUrl);
        }

        if (!model.Contains('/', StringComparison.Ordinal))
        {
            throw GatewayException.BadRequest(
                $"'model' must name its provider, as 'provider/model' (for example '{route.ExampleModel}'), or use a provider-scoped route.", "model");
        }

        return Checked(route, ModelRef.Parse(model), baseUrl);
    }

    public static GatewayException NotConfigured(MediaRoute route) => new(501,
        $"{route.Name} has no backend configured. Pass 'model' as provider/model (for example '{route.ExampleModel}') with that " +
        $"provider set up on the server (its API key or base URL setting), or set a default with PUT {route.DefaultPath}.",
        "not_implemented", "model", "capability_not_configured");

    private static MediaTarget Checked(MediaRoute route, ModelRef model, string? baseUrl)
    {
        if (LocalPlugins.Contains(model.Provider))
        {
            throw new GatewayException(501,
                $"'{model}' selects a local {model.Provider} plugin, which this gateway does not host. Use an upstream model " +
                $"(for example '{route.ExampleModel}') or set a default with PUT {route.DefaultPath}.",
                "not_implemented", "model", "capability_not_configured");
        }

        return new MediaTarget(model, string.IsNullOrWhiteSpace(baseUrl) ? null : baseUrl);
    }
}
