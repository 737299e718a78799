using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Capabilities;

/// <summary>
/// The discovery routes: <c>/v1/capabilities</c> and its per-capability providers/models, and the audio, music,
/// vision and embeddings catalogs in the original's shape.
/// </summary>
internal static class CatalogEndpoints
{
    public static void MapCatalogs(this OpenAIApi api)
    {
        var v1 = api.V1;
        v1.MapGet("/capabilities", CatalogHandler.CapabilitiesAsync)
            .WithTags("Capabilities").WithSummary("Which capabilities this gateway can serve, and through which providers");
        v1.MapGet("/capabilities/{capability}/providers", (string capability, string? task, HttpContext c, CapabilityCatalog catalog) =>
                CatalogHandler.CatalogAsync(c, catalog, "capability_providers", capability, task, null))
            .WithTags("Capabilities").WithSummary("Providers for one capability");
        v1.MapGet("/capabilities/{capability}/models", (string capability, string? task, string? provider, HttpContext c, CapabilityCatalog catalog) =>
                CatalogHandler.CatalogAsync(c, catalog, "capability_models", capability, task, provider))
            .WithTags("Capabilities").WithSummary("Models for one capability");

        // The original's per-surface catalogs, each a view of one capability and task.
        (string Path, string Operation, string Capability, string? Task)[] views =
        [
            ("/audio/speech/models", "speech_models", "voice", "tts"),
            ("/audio/speech/providers", "speech_providers", "voice", "tts"),
            ("/audio/transcriptions/models", "transcription_models", "voice", "stt"),
            ("/audio/transcriptions/providers", "transcription_providers", "voice", "stt"),
            ("/voice/clone/providers", "voice_clone_providers", "voice", "voice_clone"),
            ("/voice/clone/models", "voice_clone_models", "voice", "voice_clone"),
            ("/audio/music/providers", "music_providers", "music", null),
            ("/audio/music/models", "music_models", "music", null),
            ("/vision/providers/", "vision_providers", "vision", null),
            ("/vision/models", "vision_models", "vision", null),
            ("/embeddings/providers", "embedding_providers", "embedding", null),
        ];
        foreach (var view in views)
        {
            v1.MapGet(view.Path, (string? task, string? provider, HttpContext c, CapabilityCatalog catalog) =>
                    CatalogHandler.CatalogAsync(c, catalog, view.Operation, view.Capability, task ?? view.Task, provider))
                .WithTags("Capabilities").WithSummary($"Catalog: {view.Operation.Replace('_', ' ')}")
                .AllowQueryApiKey(); // the specification lets catalogs take ?api_key= for tooling (these lists need none)
        }

        v1.MapGet("/audio/voices", (string? provider, HttpContext c, CapabilityCatalog catalog) =>
                CatalogHandler.CatalogAsync(c, catalog, "voices", "voice", "tts", provider, withVoices: true))
            .WithTags("Capabilities").WithSummary("Speech voices (OpenAI's voice names for OpenAI-compatible providers)")
            .AllowQueryApiKey();
    }
}
