using System.Text.RegularExpressions;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Api.Spend;
using AbstractCore.Media;
using AbstractCore.Providers;
using AbstractCore.Spend;

namespace AbstractCore.Api.Audio;

/// <summary>
/// <c>POST /v1/voice/clone</c>: the reference audio forwarded as multipart to the provider's clone route
/// (<c>/voice/clone</c> with a <c>file</c> part for AbstractVoice-compatible servers, <c>/audio/voices</c> with an
/// <c>audio_sample</c> part for OpenAI, or the request's <c>clone_path</c>/<c>file_field</c>); the JSON answer comes back as is.
/// </summary>
internal sealed partial class VoiceCloneHandler(MediaRouter router, MediaUpstream upstream, ProviderResolver providers, AudioLimits limits) : IAudioHandler
{
    private static readonly string[] GatewayFields = ["model", "provider", "base_url", "clone_path", "file_field"];

    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var aborted = context.RequestAborted;
        await using var upload = await MultipartUpload.ReadAsync(context.Request, "file", limits.MaxUploadBytes, aborted);
        BodyRules.RejectApiKey(upload.Fields.Any(f => f.Key == "api_key"));
        var target = await router.ResolveAsync(MediaRoute.VoiceClone, MediaHead.Read(upload.Field), pathProvider, aborted);
        var provider = AudioProviders.Require(providers, target.Provider, MediaRoute.VoiceClone);
        var isOpenAI = provider.Name == "openai";

        var path = upload.Field("clone_path") ?? (isOpenAI ? "/audio/voices" : "/voice/clone");
        if (!ClonePath().IsMatch(path) || path.Contains("..", StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))
        {
            // The key goes with this request: it may only reach a plain path under the provider's base URL.
            throw GatewayException.BadRequest("'clone_path' must be a path under the provider's base URL, such as /voice/clone.", "clone_path");
        }

        var fileField = upload.Field("file_field") ?? (isOpenAI ? "audio_sample" : "file");
        if (!FieldName().IsMatch(fileField))
        {
            throw GatewayException.BadRequest("'file_field' must be a plain form field name such as file or audio_sample.", "file_field");
        }

        var model = target.Ref.Model == "default" ? null : target.Ref.Model;
        var endpoint = await upstream.ResolveAsync(context, provider, target.BaseUrl);
        await upstream.RelayAsync(context, endpoint, path, () => UpstreamForms.Build(upload, fileField, model, GatewayFields),
            response =>
            {
                RequestBill.Of(context)?.Charge(provider.Name, target.Ref.Model, Usage.None); // priced per call, if at all
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
            });
    }

    [GeneratedRegex("^/[A-Za-z0-9._~/-]{1,200}$")]
    private static partial Regex ClonePath();

    [GeneratedRegex("^[A-Za-z0-9_\\[\\]-]{1,64}$")]
    private static partial Regex FieldName();
}
