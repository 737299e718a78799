using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Providers;
using AbstractCore.Security;

namespace AbstractCore.Api.ControlPlane;

/// <summary>Sends a control-plane call to a runtime's root (the Inference service, or an upstream AbstractEndpoint).</summary>
internal sealed class ControlPlaneForwarder(UpstreamHttp http, ProviderResolver resolver)
{
    public const string LocalProvider = "onnx";

    /// <summary>A direct-mode call with no Inference service to reach.</summary>
    public const string RuntimeNotFound =
        "Loaded gateway runtime not found. Load it first with `/acore/models/load` or proxy to an AbstractEndpoint via `base_url`. " +
        "(ABSTRACTCORE_INFERENCE_URL is not set.)";

    /// <summary>The Inference service's root (its <c>ABSTRACTCORE_INFERENCE_URL</c> without <c>/v1</c>), or null when not configured.</summary>
    public Uri? InferenceRoot() =>
        resolver.ConfiguredBaseUrl(ProviderCatalog.Get(LocalProvider)) is { } url ? Root(url) : null;

    /// <summary>Trims, drops a trailing slash and a trailing <c>/v1</c>: <c>http://h:8001/v1</c> → <c>http://h:8001</c>.</summary>
    public static Uri? Root(string url)
    {
        var trimmed = url.Trim().TrimEnd('/');
        if (trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^3];
        }

        return Uri.TryCreate(trimmed + "/", UriKind.Absolute, out var root) ? root : null;
    }

    /// <summary>A request-chosen <c>base_url</c>'s root and the grant its connections are held to, under the same policy
    /// as chat's: a <see cref="GatewayException"/> (403) when refused, 400 when the URL has no root.</summary>
    public async Task<(Uri Root, BaseUrlGrant Grant)> ProxyRootAsync(string baseUrl, CancellationToken cancellationToken)
    {
        var accepted = await resolver.CheckBaseUrlAsync(baseUrl, cancellationToken);
        return (Root(accepted.Url.AbsoluteUri) ?? throw GatewayException.BadRequest("base_url must be an absolute http(s) URL.", "base_url"),
            accepted.Grant);
    }

    /// <summary>An answer's body as JSON; null when it is empty or not JSON.</summary>
    public static JsonNode? ParseJson(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>GET or POST <paramref name="path"/> under <paramref name="root"/>; the body is sent as JSON.</summary>
    /// <param name="grant">Null when <paramref name="root"/> is the configured Inference service; for a request-chosen
    /// root, the grant it was accepted under, which its connections are held to.</param>
    public async Task<(int Status, string Body)> SendAsync(
        Uri root, string path, JsonObject? body, string? query, string? bearer, CancellationToken cancellationToken, BaseUrlGrant? grant = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, new Uri(root, path + (query ?? "")));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.For(grant).SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
