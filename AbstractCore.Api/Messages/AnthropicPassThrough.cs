using System.Net.Http.Headers;
using AbstractCore.Chat.Forwarding;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Messages;

/// <summary>
/// A Messages request for <c>anthropic/*</c>, passed through: the client's body with only the model and the gateway's
/// fields changed (<see cref="UpstreamChatBody.ForAnthropic"/>), its <c>anthropic-version</c> and <c>anthropic-beta</c>
/// headers, the server's (or the request's) key; the answer, JSON or events, goes back as the upstream sends it.
/// </summary>
internal sealed class AnthropicPassThrough(UpstreamHttp http)
{
    private const string DefaultVersion = "2023-06-01";
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly string[] ClientHeaders = ["anthropic-version", "anthropic-beta"];
    private static readonly string[] AnswerHeaders = ["request-id", "anthropic-organization-id", "retry-after"];

    /// <summary>Sends <paramref name="body"/> to <c>{base}/v1{path}</c> and relays the answer; a refusal throws before anything is written.</summary>
    public async Task SendAsync(HttpContext context, ChatPlan plan, byte[] body, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiBase(plan.Endpoint.BaseUrl) + path)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        if (plan.Endpoint.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        foreach (var name in ClientHeaders)
        {
            var value = context.Request.Headers[name];
            request.Headers.TryAddWithoutValidation(name, value.Count > 0 ? value.ToString() : name == "anthropic-version" ? DefaultVersion : null);
        }

        foreach (var (name, value) in plan.Endpoint.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.RelayFor(plan.Endpoint).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        ContentDecoding.Apply(response);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        foreach (var name in AnswerHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (context.Response.ContentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            Hosting.EventStream.Begin(context);
        }

        // Kestrel sends each write as it is made: events leave as they arrive.
        await using var answer = await response.Content.ReadAsStreamAsync(cancellationToken);
        await answer.CopyToAsync(context.Response.Body, cancellationToken);
    }

    private static string ApiBase(Uri baseUrl)
    {
        var root = baseUrl.AbsoluteUri.TrimEnd('/');
        return root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1";
    }
}
