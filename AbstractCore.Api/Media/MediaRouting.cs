using AbstractCore.Capabilities;
using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Api.Media;

/// <summary>Where an image or video request goes: the provider and the upstream model id (null: the upstream's default).</summary>
public sealed record MediaTarget(ProviderDescriptor Provider, string? Model);

/// <summary>
/// Picks the upstream of an image or video request from <c>model</c> (<c>provider/model</c>), the <c>provider</c>
/// field or the path, else the capability default (<c>/v1/config/capability-defaults/output/image|video</c>), else
/// the server default (<c>ABSTRACTCORE_VISION_MODEL_ID</c>, else the configured OpenAI-compatible endpoint), and
/// checks it can serve the request before any work is queued.
/// </summary>
public sealed class MediaRouting(ProviderResolver providers, IConfiguration configuration, ICapabilityDefaultsStore defaults)
{
    private static readonly HashSet<string> LocalEngines = new(StringComparer.OrdinalIgnoreCase)
    {
        "diffusers", "mlx-gen", "mflux", "sdcpp", "abstractvision", "local", "huggingface",
    };

    public async Task<MediaTarget> ResolveAsync(
        HttpContext context, string surface, string? model, string? providerField, string? pathProvider, string? baseUrl,
        string? explicitKey)
    {
        if (string.IsNullOrWhiteSpace(model) && string.IsNullOrWhiteSpace(providerField) && pathProvider is null &&
            await defaults.FindAsync("output", surface == "images" ? "image" : "video", null,
                context.RequestAborted) is { ModelReference: { } configured })
        {
            model = configured;
        }

        var (providerName, modelId) = Pick(surface, model?.Trim(), providerField?.Trim(), pathProvider);
        if (providerName.Equals("server", StringComparison.OrdinalIgnoreCase))
        {
            throw GatewayException.BadRequest($"Omit `model` to use the server's default {surface} backend; 'server/…' is not a model.", "model");
        }

        if (LocalEngines.Contains(providerName))
        {
            throw new GatewayException(501,
                $"Local {surface} engines ('{providerName}') are not part of this server. Route to an OpenAI-compatible " +
                $"endpoint instead: model 'openai-compatible/<model>' with OPENAI_COMPATIBLE_BASE_URL set (or base_url in the request).",
                "not_implemented", "model", "backend_unavailable");
        }

        var provider = providers.Find(providerName);
        if (provider.Protocol != ProviderProtocol.OpenAICompatible)
        {
            throw GatewayException.BadRequest(
                $"Provider '{provider.Name}' has no {surface} API. Use an OpenAI-compatible provider (openai, openai-compatible, " +
                "openrouter, portkey, lmstudio, vllm).", "model", "unsupported_provider");
        }

        if (provider.Name == "openai" && modelId is not null && !LooksLikeMediaModel(modelId))
        {
            throw GatewayException.BadRequest(
                $"'openai/{modelId}' is a chat model and is not supported by /v1/{surface}/*. Use an {surface} model " +
                (surface == "images" ? "such as openai/gpt-image-1." : "such as openai/sora-2."), "model", "unsupported_model");
        }

        if (string.IsNullOrWhiteSpace(baseUrl) && providers.ConfiguredBaseUrl(provider) is null)
        {
            throw NotConfigured(surface, $"Provider '{provider.Name}' has no base URL: set {string.Join(" or ", provider.BaseUrlSettings)}, or pass base_url.");
        }

        // Fails early (400/401/403) on a refused base_url or a missing key, before anything is queued.
        await providers.ResolveAsync(provider, new ProviderRequest(baseUrl, explicitKey, Auth.ServerAuth.IsAuthenticated(context)), context.RequestAborted);
        return new MediaTarget(provider, modelId);
    }

    private (string Provider, string? Model) Pick(string surface, string? model, string? providerField, string? pathProvider)
    {
        if (pathProvider is not null)
        {
            return (pathProvider.ToLowerInvariant(), string.IsNullOrEmpty(model) ? null : ModelRef.ForPath(model, pathProvider).Model);
        }

        if (!string.IsNullOrEmpty(model))
        {
            if (model.Contains('/', StringComparison.Ordinal))
            {
                var parsed = ModelRef.Parse(model);
                return (parsed.Provider, parsed.Model);
            }

            return (providerField is { Length: > 0 } ? providerField.ToLowerInvariant() : DefaultProvider(surface), model);
        }

        if (providerField is { Length: > 0 })
        {
            return (providerField.ToLowerInvariant(), null);
        }

        if (DefaultModel() is { } fallback)
        {
            var parsed = ModelRef.Parse(fallback);
            return (parsed.Provider, parsed.Model);
        }

        return (DefaultProvider(surface), null);
    }

    private string? DefaultModel() =>
        new[] { "ABSTRACTCORE_VISION_MODEL_ID", "ABSTRACTVISION_MODEL_ID" }.Select(n => configuration[n])
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v) && v.Contains('/', StringComparison.Ordinal))?.Trim();

    private string DefaultProvider(string surface)
    {
        var compatible = providers.Find("openai-compatible");
        return providers.ConfiguredBaseUrl(compatible) is not null
            ? compatible.Name
            : throw NotConfigured(surface,
                $"No {surface} backend is configured. Set OPENAI_COMPATIBLE_BASE_URL (or OPENAI_BASE_URL) to an OpenAI-compatible " +
                "endpoint, set ABSTRACTCORE_VISION_MODEL_ID to a provider/model default, or pass model as provider/model.");
    }

    private static bool LooksLikeMediaModel(string model) =>
        model.Contains("image", StringComparison.OrdinalIgnoreCase) || model.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase) ||
        model.StartsWith("sora", StringComparison.OrdinalIgnoreCase) || model.Contains("video", StringComparison.OrdinalIgnoreCase);

    private static GatewayException NotConfigured(string surface, string message) =>
        new(501, message, "not_implemented", "model", surface + "_not_configured");
}
