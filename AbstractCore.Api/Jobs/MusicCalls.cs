using System.Text.Json.Nodes;
using AbstractCore.Api.Media;
using AbstractCore.Media;

namespace AbstractCore.Api.Jobs;

/// <summary>
/// Music jobs: the <c>/v1/audio/music</c> body (prompt, or its aliases input / text; provider, model, lyrics,
/// duration_s, format…) proxied to the configured music endpoint (<c>ABSTRACTCORE_MUSIC_BASE_URL</c>, POST
/// <c>/audio/music</c>); the audio comes back as <c>b64_json</c> with its <c>content_type</c>. 501 when none is configured.
/// </summary>
internal sealed class MusicCalls(MediaCallRunner upstream)
{
    private static readonly string[] PromptFields = ["prompt", "input", "text"];

    public async Task<MediaCall> CreateAsync(HttpContext context)
    {
        var body = await Requests.JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);

        if (body.ContainsKey("api_key"))
        {
            throw GatewayException.BadRequest(Auth.KeyPlacement.BodyApiKeyMessage, "api_key");
        }

        if (body.ContainsKey("backend"))
        {
            throw GatewayException.BadRequest("'backend' is no longer accepted: name the music backend with 'provider'.", "backend");
        }

        if (BodyRules.OptionalString(body, "model") is { } model && model.Contains('/', StringComparison.Ordinal))
        {
            _ = AbstractCore.Routing.ModelRef.Parse(model); // a provider with no model is refused now, not by the music service
        }

        var prompt = PromptFields.Select(n => body[n]).OfType<JsonValue>()
            .Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
        if (prompt is null)
        {
            throw MediaFields.MissingPrompt();
        }

        body.Remove("input");
        body.Remove("text");
        body["prompt"] = prompt;
        if (upstream.MusicBaseUrl is null)
        {
            throw MediaCallRunner.NoMusicEndpoint();
        }

        return new MediaCall(MediaKinds.Music, MediaKinds.MusicProvider, null, "audio/music", body.ToJsonString());
    }
}
