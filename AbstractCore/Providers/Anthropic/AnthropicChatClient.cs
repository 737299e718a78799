using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AbstractCore.OpenAI.Models;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Anthropic;

/// <summary>
/// An <see cref="IChatClient"/> over Anthropic's Messages API (<c>POST {base}/v1/messages</c>, JSON or SSE), on
/// the gateway's shared <see cref="HttpClient"/>. It sends <c>x-api-key</c> and <c>anthropic-version</c>, never an
/// <c>Authorization</c> header. A non-success answer throws <see cref="UpstreamHttpException"/> (for a stream,
/// before the first update); an <c>error</c> event mid-stream throws one too.
/// </summary>
internal sealed class AnthropicChatClient(HttpClient http, ProviderEndpoint endpoint) : IChatClient
{
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(5);
    private const int MaxModelPages = 10;

    private readonly string _apiBase = AnthropicApi.Base(endpoint.BaseUrl);
    private readonly ChatClientMetadata _metadata = new("anthropic", endpoint.BaseUrl);

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var built = AnthropicRequestFactory.Create(messages, options, stream: false);
        using var request = Post(built.Request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var message = await JsonSerializer.DeserializeAsync(body, AnthropicJsonContext.Default.AnthropicMessage, cancellationToken)
                      ?? throw new JsonException("Anthropic answered null.");
        return AnthropicResponses.ToChatResponse(message, built.SchemaToolName);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var built = AnthropicRequestFactory.Create(messages, options, stream: true);
        using var request = Post(built.Request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken);
        }

        var translator = new AnthropicStreamTranslator(built.SchemaToolName);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        // Each event is translated from its UTF-8 bytes as the parser completes it (no string per event).
        var events = SseParser.Create(body, (type, data) => translator.Handle(type == SseParser.EventTypeDefault ? null : type, data));
        await foreach (var item in events.EnumerateAsync(cancellationToken))
        {
            foreach (var update in item.Data)
            {
                yield return update;
            }

            if (translator.Stopped)
            {
                break;
            }
        }

        if (!translator.Stopped)
        {
            throw new IOException("The Anthropic stream ended before message_stop.");
        }
    }

    /// <summary><c>GET {base}/v1/models</c>, every page (up to 10 000 models), ids as <c>anthropic/&lt;id&gt;</c>.</summary>
    public async Task<List<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ListTimeout);
        var models = new List<ModelInfo>();
        string? after = null;
        for (var page = 0; page < MaxModelPages; page++)
        {
            var url = _apiBase + "/models?limit=1000" + (after is null ? "" : "&after_id=" + Uri.EscapeDataString(after));
            using var request = NewRequest(HttpMethod.Get, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw await UpstreamHttpException.FromAsync(response, timeout.Token);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var list = await JsonSerializer.DeserializeAsync(body, AnthropicJsonContext.Default.AnthropicModelPage, timeout.Token);
            foreach (var model in list?.Data ?? [])
            {
                if (!string.IsNullOrEmpty(model.Id))
                {
                    models.Add(new ModelInfo
                    {
                        Id = $"{endpoint.Provider.Name}/{model.Id}",
                        OwnedBy = endpoint.Provider.Name,
                        Created = model.CreatedAt?.ToUnixTimeSeconds() ?? 0,
                    });
                }
            }

            if (list is not { HasMore: true, LastId: { Length: > 0 } last })
            {
                break;
            }

            after = last;
        }

        return models;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient is the gateway's shared one.
    }

    /// <summary>The base URL is the API root (https://api.anthropic.com); one that already ends in /v1 is taken as is.</summary>
    private HttpRequestMessage Post(AnthropicMessagesRequest body)
    {
        var request = NewRequest(HttpMethod.Post, _apiBase + "/messages");
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, AnthropicJsonContext.Default.AnthropicMessagesRequest));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        if (endpoint.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", AnthropicApi.Version);
        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
