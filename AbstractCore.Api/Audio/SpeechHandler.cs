using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Spend;
using AbstractCore.Media;
using AbstractCore.Providers;
using AbstractCore.Spend;

namespace AbstractCore.Api.Audio;

/// <summary>
/// <c>POST /v1/audio/speech</c>: OpenAI's speech body to <c>{base}/audio/speech</c>; the audio bytes are streamed to
/// the client as they arrive, as <c>audio/&lt;fmt&gt;</c> with an inline file name.
/// </summary>
internal sealed class SpeechHandler(MediaRouter router, MediaUpstream upstream, ProviderResolver providers) : IAudioHandler
{
    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var aborted = context.RequestAborted;
        var body = await Requests.JsonBody.ReadMediaObjectAsync(context.Request, aborted);
        var input = BodyRules.FirstString(body, "input", "text")
                    ?? throw GatewayException.BadRequest("Missing required field: input (string). 'text' is accepted as an alias.", "input");
        var format = (BodyRules.FirstString(body, "response_format", "format") ?? "mp3").Trim().ToLowerInvariant();
        if (!AudioFormats.Speech.Contains(format))
        {
            throw GatewayException.BadRequest(
                $"'response_format' must be one of {string.Join(", ", AudioFormats.Speech)}, not '{format}'.", "response_format");
        }

        var head = MediaHead.Read(name => BodyRules.OptionalString(body, name));
        var target = await router.ResolveAsync(MediaRoute.Speech, head, pathProvider, aborted);
        var provider = AudioProviders.Require(providers, target.Provider, MediaRoute.Speech);

        var upstreamBody = new JsonObject
        {
            ["model"] = target.Ref.Model,
            ["input"] = input,
            ["voice"] = body["voice"]?.DeepClone() ?? "alloy", // OpenAI requires a voice; the original defaults to alloy
            ["response_format"] = format,
        };
        CopyNumber(body, upstreamBody, "speed");
        foreach (var name in (string[])["instructions", "stream_format"])
        {
            if (BodyRules.OptionalString(body, name) is { } value)
            {
                upstreamBody[name] = value;
            }
        }

        var endpoint = await upstream.ResolveAsync(context, provider, target.BaseUrl);
        await upstream.RelayAsync(context, endpoint, "/audio/speech",
            () => new StringContent(upstreamBody.ToJsonString(), Encoding.UTF8, "application/json"),
            response =>
            {
                // The upstream accepted the text: its characters are what text-to-speech is priced by.
                RequestBill.Of(context)?.Charge(provider.Name, target.Ref.Model, new Usage { Characters = input.EnumerateRunes().LongCount() });
                AudioFormats.SetFileHeaders(context.Response, "abstractcore-speech", format);
            });
    }

    private static void CopyNumber(JsonObject from, JsonObject to, string name)
    {
        if (from[name] is not { } node)
        {
            return;
        }

        to[name] = node.GetValueKind() == JsonValueKind.Number
            ? node.DeepClone()
            : throw GatewayException.BadRequest($"'{name}' must be a number.", name);
    }
}
