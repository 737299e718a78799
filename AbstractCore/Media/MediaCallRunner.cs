using System.Net.Http.Headers;
using System.Text;
using AbstractCore.Providers;
using AbstractCore.Upstream;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Media;

/// <summary>
/// Runs a <see cref="MediaCall"/> against its upstream and turns the answer into the OpenAI images shape
/// <c>{"created","data":[{"b64_json"}]}</c>. Shared by the synchronous routes and the job consumer.
/// </summary>
public sealed class MediaCallRunner(UpstreamHttp http, ProviderResolver providers, MediaAnswerReader reader, IConfiguration configuration)
{
    public const string MusicBaseUrlSetting = "ABSTRACTCORE_MUSIC_BASE_URL";
    public const string MusicApiKeySetting = "ABSTRACTCORE_MUSIC_API_KEY";

    /// <summary>The configured music server: a bearer key, from the server's configuration only.</summary>
    private static readonly ProviderDescriptor Music = new(MediaKinds.MusicProvider, [MusicBaseUrlSetting], null, [MusicApiKeySetting]);

    /// <summary>The configured music endpoint, or null when none is.</summary>
    public string? MusicBaseUrl => configuration[MusicBaseUrlSetting] is { Length: > 0 } v ? v.Trim().TrimEnd('/') : null;

    /// <param name="explicitKey">A per-request provider key (synchronous routes only; jobs use server-held keys).</param>
    /// <param name="serverAuthenticated">Whether the caller presented the server token (jobs: checked when they were submitted).</param>
    /// <param name="idempotencyKey">Sent as <c>Idempotency-Key</c> so an upstream that honours it answers a retried job
    /// from its first run instead of generating again.</param>
    /// <returns>The answer as UTF-8 JSON.</returns>
    public async Task<byte[]> RunAsync(
        MediaCall call, string? explicitKey, bool serverAuthenticated, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var endpoint = await ResolveAsync(call, explicitKey, serverAuthenticated, cancellationToken);
        using var request = UpstreamRequests.Create(endpoint, HttpMethod.Post, "/" + call.Path);
        request.Content = Body(call);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        try
        {
            using var response = await UpstreamRequests.SendAsync(http.For(endpoint), request, cancellationToken);
            return await reader.ReadAsync(response, call.Provider, cancellationToken);
        }
        catch (Exception e) when (e is not GatewayException and not OperationCanceledException)
        {
            throw UpstreamFailure.From(e, call.Provider);
        }
    }

    private async Task<ProviderEndpoint> ResolveAsync(MediaCall call, string? explicitKey, bool serverAuthenticated, CancellationToken cancellationToken)
    {
        if (call.Provider == MediaKinds.MusicProvider)
        {
            var music = MusicBaseUrl ?? throw NoMusicEndpoint();
            return new ProviderEndpoint(Music, new Uri(music), explicitKey ?? configuration[MusicApiKeySetting], []);
        }

        return await providers.ResolveAsync(
            ProviderCatalog.Get(call.Provider), new ProviderRequest(call.BaseUrl, explicitKey, serverAuthenticated), cancellationToken);
    }

    public static GatewayException NoMusicEndpoint() => new(501,
        $"No music backend is configured. Set {MusicBaseUrlSetting} to a music service that answers POST /audio/music " +
        $"(and {MusicApiKeySetting} if it needs a key).", "not_implemented", code: "music_not_configured");

    private static HttpContent Body(MediaCall call)
    {
        if (call.Json is not null)
        {
            return new StringContent(call.Json, Encoding.UTF8, "application/json");
        }

        var form = new MultipartFormDataContent();
        foreach (var field in call.Form ?? [])
        {
            form.Add(new StringContent(field.Value, Encoding.UTF8), field.Name);
        }

        foreach (var file in call.Files ?? [])
        {
            var content = new ByteArrayContent(file.Data);
            content.Headers.ContentType = MediaTypeHeaderValue.TryParse(file.ContentType, out var type)
                ? type : new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, file.Name, file.FileName);
        }

        return form;
    }
}
