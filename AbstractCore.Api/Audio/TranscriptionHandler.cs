using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Spend;
using AbstractCore.Media;
using AbstractCore.Providers;

namespace AbstractCore.Api.Audio;

/// <summary>
/// <c>POST /v1/audio/transcriptions</c>: the multipart upload forwarded to <c>{base}/audio/transcriptions</c> with the
/// file's own name and type, <c>model</c> unprefixed and the gateway's own fields (provider, base_url, format) left
/// out; the answer is streamed back with the content type of its <c>response_format</c>.
/// </summary>
internal sealed class TranscriptionHandler(MediaRouter router, MediaUpstream upstream, ProviderResolver providers, AudioLimits limits) : IAudioHandler
{
    private static readonly string[] GatewayFields = ["model", "provider", "base_url", "format"];

    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var aborted = context.RequestAborted;
        await using var upload = await MultipartUpload.ReadAsync(context.Request, "file", limits.MaxUploadBytes, aborted);
        BodyRules.RejectApiKey(upload.Fields.Any(f => f.Key == "api_key"));
        var format = upload.Field("response_format")?.ToLowerInvariant() ?? "json";
        if (!AudioFormats.Transcription.Contains(format))
        {
            throw GatewayException.BadRequest(
                $"'response_format' must be one of {string.Join(", ", AudioFormats.Transcription)}, not '{format}'.", "response_format");
        }

        var target = await router.ResolveAsync(MediaRoute.Transcription, MediaHead.Read(upload.Field), pathProvider, aborted);
        var provider = AudioProviders.Require(providers, target.Provider, MediaRoute.Transcription);
        var endpoint = await upstream.ResolveAsync(context, provider, target.BaseUrl);
        var bill = RequestBill.Of(context);
        var audio = upload.File!.Content;
        var wavSeconds = bill is null ? null : WavDuration.Seconds(audio);

        // A JSON answer is read before it is sent on, so the bill has the duration it states; text answers stream.
        await upstream.RelayAsync(context, endpoint, "/audio/transcriptions",
            () => UpstreamForms.Build(upload, "file", target.Ref.Model, GatewayFields),
            response => context.Response.ContentType = AudioFormats.TranscriptionContentType(format),
            bill is null ? null : answer => bill.Charge(provider.Name, target.Ref.Model, TranscriptionUsage.Of(answer, wavSeconds, audio.Length)));
    }
}
