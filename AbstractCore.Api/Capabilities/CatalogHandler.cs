using AbstractCore.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// One catalog view: the providers and models of a capability (and task), from configuration alone. A capability with
/// no provider set up answers 501 naming what to configure.
/// </summary>
internal static class CatalogHandler
{
    /// <summary><c>GET /v1/capabilities</c>: every capability, whether it is available and through which providers.</summary>
    public static async Task<JsonHttpResult<CapabilitiesPayload>> CapabilitiesAsync(CapabilityCatalog catalog, CancellationToken ct)
    {
        var backends = new List<CapabilityBackend>();
        foreach (var capability in CapabilityCatalog.All)
        {
            var details = await catalog.ProvidersAsync(capability, capability.Tasks, ct);
            var available = details.Where(d => d.Available).Select(d => d.Provider).ToList();
            backends.Add(new CapabilityBackend(capability.Name, capability.Tasks, available.Count > 0, available, capability.Routes, capability.Configure));
        }

        return TypedResults.Json(new CapabilitiesPayload { Status = backends.ToDictionary(b => b.Capability, b => b.Available), Backends = backends },
            CapabilitiesJsonContext.Default.CapabilitiesPayload);
    }

    public static async Task<JsonHttpResult<CatalogPayload>> CatalogAsync(
        HttpContext context, CapabilityCatalog catalog, string operation, string name, string? task, string? provider, bool withVoices = false)
    {
        var ct = context.RequestAborted;
        if (context.Request.Query["base_url"].ToString() is { Length: > 0 } baseUrl)
        {
            // Nothing is fetched from it, but a catalog refuses what a request-level override would (403);
            // as in the original, a value that is not a URL at all is a 400 first.
            if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                throw GatewayException.BadRequest("base_url must be an absolute http(s) URL.", "base_url");
            }

            var allowlist = UrlAllowlist.Parse(context.RequestServices.GetRequiredService<IConfiguration>()[UrlAllowlist.BaseUrlSetting]);
            await BaseUrlPolicy.ValidateAsync(baseUrl, allowlist, ct);
        }

        var capability = CapabilityCatalog.Find(name);
        var tasks = CapabilityCatalog.Tasks(capability, task);
        var details = (await catalog.ProvidersAsync(capability, tasks, ct))
            .Where(d => provider is null || d.Provider.Equals(provider.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (provider is not null && details.Count == 0)
        {
            throw new GatewayException(404, $"Provider '{provider}' cannot serve capability '{capability.Name}'.", "not_found_error", "provider");
        }

        var available = details.Where(d => d.Available).ToList();
        if (available.Count == 0)
        {
            throw new GatewayException(501,
                $"No provider is configured for capability '{capability.Name}'" + (task is null ? "" : $" (task {tasks[0]})") +
                $": {capability.Configure}, or set a default with PUT /v1/config/capability-defaults/{{kind}}/{{modality}}.",
                "not_implemented", null, "capability_not_configured");
        }

        var models = await catalog.ModelsAsync(available, tasks, ct);
        var payload = new CatalogPayload
        {
            Operation = operation,
            Capability = capability.Name,
            Task = task is null ? null : tasks[0],
            Provider = provider,
            Available = true,
            ActiveProvider = models.FirstOrDefault()?.Provider ?? available[0].Provider,
            Providers = [.. available.Select(d => d.Provider)],
            Models = [.. models.Select(m => m.Model).Distinct()],
            ModelsByProvider = models.GroupBy(m => m.Provider).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(m => m.Id).Distinct()]),
            ProviderModels = models,
            ProviderDetails = details,
            Voices = withVoices ? CapabilityCatalog.OpenAIVoices : null,
        };
        return TypedResults.Json(payload, CapabilitiesJsonContext.Default.CatalogPayload);
    }
}
