using AbstractCore.Api.Auth;
using AbstractCore.Security;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// The discovery routes: <c>/v1/capabilities</c> and its per-capability providers/models, and the audio, music,
/// vision and embeddings catalogs in the original's shape. Built from configuration alone; a capability with no
/// provider set up answers 501 naming what to configure.
/// </summary>
public static class CatalogEndpoints
{
    public static void MapCatalogs(this WebApplication app)
    {
        app.MapGet("/v1/capabilities", async (CapabilityCatalog catalog, CancellationToken ct) =>
        {
            var backends = new List<CapabilityBackend>();
            foreach (var capability in CapabilityCatalog.All)
            {
                var details = await catalog.ProvidersAsync(capability, capability.Tasks, ct);
                var available = details.Where(d => d.Available).Select(d => d.Provider).ToList();
                backends.Add(new CapabilityBackend(capability.Name, capability.Tasks, available.Count > 0, available, capability.Routes, capability.Configure));
            }

            return Results.Json(new CapabilitiesPayload { Status = backends.ToDictionary(b => b.Capability, b => b.Available), Backends = backends },
                CapabilitiesJsonContext.Default.CapabilitiesPayload);
        }).WithTags("Capabilities").WithSummary("Which capabilities this gateway can serve, and through which providers");

        app.MapGet("/v1/capabilities/{capability}/providers", (string capability, string? task, HttpContext c, CapabilityCatalog catalog) =>
                Catalog(c, catalog, "capability_providers", capability, task, null))
            .WithTags("Capabilities").WithSummary("Providers for one capability");
        app.MapGet("/v1/capabilities/{capability}/models", (string capability, string? task, string? provider, HttpContext c, CapabilityCatalog catalog) =>
                Catalog(c, catalog, "capability_models", capability, task, provider))
            .WithTags("Capabilities").WithSummary("Models for one capability");

        // The original's per-surface catalogs, each a view of one capability and task.
        (string Path, string Operation, string Capability, string? Task)[] views =
        [
            ("/v1/audio/speech/models", "speech_models", "voice", "tts"),
            ("/v1/audio/speech/providers", "speech_providers", "voice", "tts"),
            ("/v1/audio/transcriptions/models", "transcription_models", "voice", "stt"),
            ("/v1/audio/transcriptions/providers", "transcription_providers", "voice", "stt"),
            ("/v1/voice/clone/providers", "voice_clone_providers", "voice", "voice_clone"),
            ("/v1/voice/clone/models", "voice_clone_models", "voice", "voice_clone"),
            ("/v1/audio/music/providers", "music_providers", "music", null),
            ("/v1/audio/music/models", "music_models", "music", null),
            ("/v1/vision/providers/", "vision_providers", "vision", null),
            ("/v1/vision/models", "vision_models", "vision", null),
            ("/v1/embeddings/providers", "embedding_providers", "embedding", null),
        ];
        foreach (var view in views)
        {
            app.MapGet(view.Path, (string? task, string? provider, HttpContext c, CapabilityCatalog catalog) =>
                    Catalog(c, catalog, view.Operation, view.Capability, task ?? view.Task, provider))
                .WithTags("Capabilities").WithSummary($"Catalog: {view.Operation.Replace('_', ' ')}")
                .AllowQueryApiKey(); // the specification lets catalogs take ?api_key= for tooling (these lists need none)
        }

        app.MapGet("/v1/audio/voices", (string? provider, HttpContext c, CapabilityCatalog catalog) =>
                Catalog(c, catalog, "voices", "voice", "tts", provider, withVoices: true))
            .WithTags("Capabilities").WithSummary("Speech voices (OpenAI's voice names for OpenAI-compatible providers)")
            .AllowQueryApiKey();
    }

    private static async Task<IResult> Catalog(
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
        return Results.Json(payload, CapabilitiesJsonContext.Default.CatalogPayload);
    }
}
