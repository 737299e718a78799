using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Ollama;

/// <summary>
/// Ollama's native chat API (<c>POST {base}/api/chat</c>) as an <see cref="IChatClient"/>: JSON, or NDJSON read
/// line by line as it arrives. Thinking comes back as <see cref="TextReasoningContent"/>, tool calls as
/// <see cref="FunctionCallContent"/> with an id made up here (<c>call_</c> + 24 hex) when Ollama gives none,
/// <c>done_reason</c> as the finish reason and the eval counts as usage. Non-success answers throw
/// <see cref="UpstreamHttpException"/>; an <c>{"error":…}</c> line in a stream throws a 502.
/// </summary>
internal sealed class OllamaChatClient : IChatClient
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly HttpClient _http;
    private readonly ProviderEndpoint _endpoint;
    private readonly Uri _chatUri;

    public OllamaChatClient(HttpClient http, ProviderEndpoint endpoint)
    {
        _http = http;
        _endpoint = endpoint;
        Root = RootOf(endpoint.BaseUrl);
        _chatUri = new Uri(Root + "/api/chat");
        Metadata = new ChatClientMetadata("ollama", new Uri(Root));
    }

    /// <summary>The server root without a trailing slash; a mistaken <c>/v1</c> or <c>/api</c> suffix is dropped.</summary>
    public string Root { get; }

    public ChatClientMetadata Metadata { get; }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = OllamaRequests.Build(messages, options, stream: false);
        using var response = await SendChatAsync(body, cancellationToken).ConfigureAwait(false);

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var answer = await JsonSerializer.DeserializeAsync(stream, OllamaJsonContext.Default.OllamaChatResponse, cancellationToken)
                .ConfigureAwait(false) ?? throw new InvalidDataException("Ollama answered JSON null.");
            ThrowIfError(answer);

            var contents = new List<AIContent>();
            var hasToolCalls = AddContents(contents, answer.Message);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents) { RawRepresentation = answer.Message })
            {
                ModelId = answer.Model ?? options?.ModelId,
                CreatedAt = CreatedAt(answer.CreatedAt),
                FinishReason = FinishReason(answer.DoneReason, hasToolCalls),
                Usage = Usage(answer),
                RawRepresentation = answer,
            };
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var body = OllamaRequests.Build(messages, options, stream: true);
        using var response = await SendChatAsync(body, cancellationToken).ConfigureAwait(false);

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var hasToolCalls = false;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var chunk = JsonSerializer.Deserialize(line, OllamaJsonContext.Default.OllamaChatResponse)
                            ?? throw new InvalidDataException("Ollama streamed a JSON null line.");
                ThrowIfError(chunk);

                var update = new ChatResponseUpdate
                {
                    Role = ChatRole.Assistant,
                    ModelId = chunk.Model ?? options?.ModelId,
                    CreatedAt = CreatedAt(chunk.CreatedAt),
                    RawRepresentation = chunk,
                };
                hasToolCalls |= AddContents(update.Contents, chunk.Message);
                if (chunk.Done)
                {
                    update.FinishReason = FinishReason(chunk.DoneReason, hasToolCalls);
                    update.Contents.Add(new UsageContent(Usage(chunk)));
                    yield return update;
                    yield break;
                }

                yield return update;
            }
        }

        // No done line: the connection ended early (the gateway answers 502 "failed mid-response").
        throw new IOException("Ollama's stream ended before its final \"done\" line.");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient is the shared pooled one: not ours to dispose.
    }

    /// <summary>
    /// Sends the chat request; a successful response is returned unread. A <c>think</c> the model cannot take degrades
    /// instead of failing, as AbstractCore's thinking control promises: Ollama answers 400 <c>think value "low" is not
    /// supported for this model</c> when only GPT-OSS takes levels (then <c>true</c> is sent), and
    /// <c>"llama3.2" does not support thinking</c> for a model without thinking (then <c>think</c> is left out).
    /// </summary>
    private async Task<HttpResponseMessage> SendChatAsync(OllamaChatRequest body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = CreateRequest(HttpMethod.Post, _chatUri, body);
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var failure = await UpstreamHttpException.FromAsync(response, cancellationToken).ConfigureAwait(false);
                if (attempt >= 2 || failure.Status != 400 || !DegradeThink(body, failure.Body))
                {
                    throw failure;
                }
            }
        }
    }

    private static bool DegradeThink(OllamaChatRequest body, string error)
    {
        switch (body.Think?.ValueKind)
        {
            case JsonValueKind.String when error.Contains("think value", StringComparison.Ordinal) &&
                                           error.Contains("not supported", StringComparison.Ordinal):
                body.Think = OllamaRequests.Bool(true);
                return true;
            case JsonValueKind.String or JsonValueKind.True when error.Contains("does not support thinking", StringComparison.Ordinal):
                body.Think = null;
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>POST {base}/api/generate {"model", "keep_alive": 0}</c>: Ollama's way to unload a model now.</summary>
    internal async Task UnloadAsync(string model, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(HttpMethod.Post, new Uri(Root + "/api/generate"), null);
        request.Content = new StringContent(
            "{\"model\":" + JsonSerializer.Serialize(model, AbstractCore.Chat.ChatJsonContext.Default.String) + ",\"keep_alive\":0}",
            System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>GET {base}/api/tags</c>.</summary>
    internal async Task<OllamaTagsResponse> TagsAsync(CancellationToken cancellationToken)
    {
        using var request = CreateRequest(HttpMethod.Get, new Uri(Root + "/api/tags"), null);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, OllamaJsonContext.Default.OllamaTagsResponse, cancellationToken)
                .ConfigureAwait(false) ?? new OllamaTagsResponse();
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, OllamaChatRequest? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            // Text stays readable (no \uXXXX for quotes or non-ASCII): this JSON never lands in HTML.
            var json = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(json, WriterOptions))
            {
                JsonSerializer.Serialize(writer, body, OllamaJsonContext.Default.OllamaChatRequest);
            }

            request.Content = new ReadOnlyMemoryContent(json.WrittenMemory) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }

        // Plain Ollama takes no key; one sent per request (an authenticating proxy, ollama.com) goes out as a bearer token.
        if (_endpoint.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in _endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static void ThrowIfError(OllamaChatResponse chunk)
    {
        if (chunk.Error is { } error)
        {
            throw new GatewayException(502, $"Provider 'ollama' reported an error: {error}", "upstream_error", code: "upstream_error");
        }
    }

    /// <returns>Whether the message carried tool calls.</returns>
    private static bool AddContents(IList<AIContent> contents, OllamaMessage? message)
    {
        if (message is null)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(message.Thinking))
        {
            contents.Add(new TextReasoningContent(message.Thinking));
        }

        if (!string.IsNullOrEmpty(message.Content))
        {
            contents.Add(new TextContent(message.Content));
        }

        var any = false;
        foreach (var call in message.ToolCalls ?? [])
        {
            if (call.Function?.Name is not { Length: > 0 } name)
            {
                continue;
            }

            contents.Add(new FunctionCallContent(string.IsNullOrEmpty(call.Id) ? NewCallId() : call.Id, name, Arguments(call.Function.Arguments))
            {
                RawRepresentation = call,
            });
            any = true;
        }

        return any;
    }

    /// <summary>OpenAI-style tool call id: <c>call_</c> + 24 lowercase hex characters.</summary>
    public static string NewCallId() => "call_" + RandomNumberGenerator.GetHexString(24, lowercase: true);

    private static Dictionary<string, object?> Arguments(JsonElement? arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var value = arguments ?? default;
        if (value.ValueKind == JsonValueKind.String)
        {
            // Not Ollama's documented shape, but seen from some templates: an object encoded as a string.
            try
            {
                using var doc = JsonDocument.Parse(value.GetString()!);
                value = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                result["value"] = value.Clone();
                return result;
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                result[property.Name] = property.Value.Clone();
            }
        }

        return result;
    }

    /// <summary>Tool calls win; <c>length</c> stays; <c>stop</c>, <c>load</c>, <c>unload</c> and anything else are a stop.</summary>
    private static ChatFinishReason FinishReason(string? doneReason, bool hasToolCalls) =>
        hasToolCalls ? ChatFinishReason.ToolCalls
        : doneReason == "length" ? ChatFinishReason.Length
        : ChatFinishReason.Stop;

    private static UsageDetails Usage(OllamaChatResponse answer)
    {
        var input = answer.PromptEvalCount ?? 0;
        var output = answer.EvalCount ?? 0;
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    private static DateTimeOffset? CreatedAt(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;

    private static string RootOf(Uri baseUrl)
    {
        var root = baseUrl.AbsoluteUri.TrimEnd('/');
        foreach (var suffix in (string[])["/v1", "/api"])
        {
            if (root.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return root[..^suffix.Length];
            }
        }

        return root;
    }
}
