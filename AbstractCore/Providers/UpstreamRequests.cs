using AbstractCore.Upstream;

namespace AbstractCore.Providers;

/// <summary>
/// Plain HTTP calls to a resolved provider endpoint for the routes the OpenAI SDK clients don't cover (embeddings,
/// audio, music, voice clone): the key goes where the provider expects it and only to that endpoint.
/// </summary>
public static class UpstreamRequests
{
    /// <summary>A request to <c>{base}{path}</c> carrying the endpoint's key and its extra headers.</summary>
    public static HttpRequestMessage Create(ProviderEndpoint endpoint, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUrl.AbsoluteUri.TrimEnd('/') + path));
        ProviderHeaders.Apply(request, endpoint);
        return request;
    }

    /// <summary>Sends and returns once the headers are in (the body stays on the wire for streaming);
    /// a non-success answer throws <see cref="UpstreamHttpException"/> carrying the upstream's message.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }
}
