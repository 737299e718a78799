using System.Text;
using System.Text.Json.Nodes;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Spend;
using AbstractCore.Media;
using AbstractCore.Providers;
using AbstractCore.Spend;

namespace AbstractCore.Api.Audio;

/// <summary>
/// <c>POST /v1/audio/music</c>: forwarded as JSON to <c>{base}/audio/music</c> of a remote music server — ACE Music
/// (<c>acemusic</c>: <c>ACEMUSIC_BASE_URL</c>, <c>ACEMUSIC_API_KEY</c>) or an OpenAI-compatible provider serving that
/// route — and the audio streamed back. The original's local backends (ACE-Step, Stable Audio, Diffusers) are Python
/// plugins this gateway does not host: they answer 501 naming what to configure instead.
/// </summary>
internal sealed class MusicHandler(MediaRouter router, MediaUpstream upstream, ProviderResolver providers) : IAudioHandler
{
    public static readonly ProviderDescriptor AceMusic = new("acemusic", ["ACEMUSIC_BASE_URL"], null, ["ACEMUSIC_API_KEY"]);

    private static readonly string[] GatewayFields = ["model", "provider", "base_url", "input", "text", "prompt", "format", "response_format"];
    private static readonly string[] Formats = ["wav", "mp3", "flac"];

    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var aborted = context.RequestAborted;
        var body = await Requests.JsonBody.ReadMediaObjectAsync(context.Request, aborted);
        if (body.ContainsKey("backend"))
        {
            throw GatewayException.BadRequest("'backend' was renamed: select the music backend with 'provider' (for example \"acemusic\").", "backend");
        }

        var prompt = BodyRules.FirstString(body, "prompt", "input", "text")
                     ?? throw GatewayException.BadRequest("Missing required field: prompt ('input' and 'text' are accepted as aliases).", "prompt");
        var format = (BodyRules.FirstString(body, "response_format", "format") ?? "wav").Trim().ToLowerInvariant();
        if (!Formats.Contains(format))
        {
            throw GatewayException.BadRequest($"'format' must be one of {string.Join(", ", Formats)}, not '{format}'.", "format");
        }

        var head = MediaHead.Read(name => BodyRules.OptionalString(body, name));
        var target = await router.ResolveAsync(MediaRoute.Music, head, pathProvider, aborted);
        var provider = Provider(target.Provider, target.BaseUrl);

        var upstreamBody = new JsonObject { ["prompt"] = prompt, ["format"] = format };
        if (target.Ref.Model != "default")
        {
            upstreamBody["model"] = target.Ref.Model;
        }

        foreach (var (name, value) in body)
        {
            if (!GatewayFields.Contains(name))
            {
                upstreamBody[name] = value?.DeepClone(); // lyrics, duration_s, seed…: passed through as the spec says
            }
        }

        var endpoint = await upstream.ResolveAsync(context, provider, target.BaseUrl);
        await upstream.RelayAsync(context, endpoint, "/audio/music",
            () => new StringContent(upstreamBody.ToJsonString(), Encoding.UTF8, "application/json"),
            response =>
            {
                // The audio streams through unread, so nothing states its length: a zero line counts the call.
                RequestBill.Of(context)?.Charge(provider.Name, target.Ref.Model, Usage.None);
                AudioFormats.SetFileHeaders(context.Response, "abstractcore-music", format);
            });
    }

    private ProviderDescriptor Provider(string name, string? baseUrl)
    {
        if (name != AceMusic.Name)
        {
            return AudioProviders.Require(providers, name, MediaRoute.Music);
        }

        if (baseUrl is null && providers.ConfiguredBaseUrl(AceMusic) is null)
        {
            throw new GatewayException(501,
                "ACE Music is not configured: set ACEMUSIC_BASE_URL (and ACEMUSIC_API_KEY) on the server, or pass base_url.",
                "not_implemented", "provider", "capability_not_configured");
        }

        return AceMusic;
    }
}
