using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.OpenAI.Embeddings;
using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Embeddings;

/// <summary>
/// One embeddings call. OpenAI-compatible providers get the OpenAI body at <c>{base}/embeddings</c> and their answer
/// comes back as is, <c>model</c> rewritten to <c>provider/model</c>; Ollama gets <c>{root}/api/embed</c> and its
/// answer is mapped to the OpenAI shape; Azure goes through its connector (<see cref="AzureEmbeddings"/>). The result is the
/// JSON to send the client. <c>truncate</c> goes to the local service and to Ollama, whose field it is; the hosted APIs
/// have no such field and refuse what is too long.
/// </summary>
public sealed class EmbeddingsClient(UpstreamHttp upstream, AzureEmbeddings azure)
{
    public Task<byte[]> CreateAsync(ProviderEndpoint endpoint, EmbeddingRequest request, ModelRef model, CancellationToken cancellationToken)
    {
        // The endpoint's provider, not the model's: huggingface/<id> is answered by the onnx endpoint.
        if (EmbeddingProviders.IsDirect(endpoint.Provider.Name))
        {
            return DirectAsync(endpoint, request, model, cancellationToken);
        }

        if (endpoint.Provider.Protocol == ProviderProtocol.AzureOpenAI)
        {
            return azure.CreateAsync(endpoint, request, model, cancellationToken);
        }

        return OllamaAsync(endpoint, request, model, cancellationToken);
    }

    private async Task<byte[]> DirectAsync(ProviderEndpoint endpoint, EmbeddingRequest request, ModelRef model, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = model.Model, ["input"] = request.Input.DeepClone() };
        if (request.Dimensions is { } dimensions)
        {
            body["dimensions"] = dimensions;
        }

        if (request.EncodingFormat is { } format)
        {
            body["encoding_format"] = format;
        }

        if (request.User is { } user)
        {
            body["user"] = user;
        }

        if (request.Truncate is { } truncate && endpoint.Provider.Name == EmbeddingProviders.Local)
        {
            body["truncate"] = truncate;
        }

        var answer = await PostAsync(endpoint, "/embeddings", body, cancellationToken).ConfigureAwait(false);
        var result = answer as JsonObject ?? throw new InvalidDataException("the embeddings answer is not a JSON object");
        result["model"] = model.ToString();
        return Encoding.UTF8.GetBytes(result.ToJsonString());
    }

    private async Task<byte[]> OllamaAsync(ProviderEndpoint endpoint, EmbeddingRequest request, ModelRef model, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = model.Model, ["input"] = request.Input.DeepClone() };
        if (request.Dimensions is { } dimensions)
        {
            body["dimensions"] = dimensions;
        }

        if (request.Truncate is { } truncate)
        {
            body["truncate"] = truncate;
        }

        // Ollama lives at the server root: a configured ".../v1" (its OpenAI layer) is stepped over.
        var root = OllamaRoot(endpoint);
        var answer = await PostAsync(root, "/api/embed", body, cancellationToken).ConfigureAwait(false);
        var ollama = answer.Deserialize(OllamaEmbedJsonContext.Default.OllamaEmbedResponse);
        if (ollama?.Embeddings is not { } vectors || vectors.Count != request.Count)
        {
            throw new InvalidDataException($"Ollama answered {ollama?.Embeddings?.Count ?? 0} embeddings for {request.Count} inputs");
        }

        var tokens = ollama.PromptEvalCount ?? 0;
        var list = new EmbeddingList
        {
            Data = [.. vectors.Select((v, i) => new EmbeddingItem { Embedding = request.WantsBase64 ? Base64(v) : v, Index = i })],
            Model = model.ToString(),
            Usage = new EmbeddingUsage { PromptTokens = tokens, TotalTokens = tokens },
        };
        return JsonSerializer.SerializeToUtf8Bytes(list, EmbeddingsJsonContext.Default.EmbeddingList);
    }

    /// <summary>OpenAI's base64 form: the vector's float32 values, little-endian, base64-encoded (what the official
    /// SDKs ask for by default), so Ollama vectors reach them the same way as OpenAI's.</summary>
    private static JsonElement Base64(JsonElement vector)
    {
        var bytes = new byte[vector.GetArrayLength() * sizeof(float)];
        var i = 0;
        foreach (var value in vector.EnumerateArray())
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i), value.GetSingle());
            i += sizeof(float);
        }

        return JsonSerializer.SerializeToElement(Convert.ToBase64String(bytes), EmbeddingsJsonContext.Default.String);
    }

    private async Task<JsonNode> PostAsync(ProviderEndpoint endpoint, string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = UpstreamRequests.Create(endpoint, HttpMethod.Post, path);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await UpstreamRequests.SendAsync(upstream.For(endpoint), request, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false)
                   ?? throw new InvalidDataException("the upstream answered JSON null");
        }
    }

    private static ProviderEndpoint OllamaRoot(ProviderEndpoint endpoint)
    {
        var root = endpoint.BaseUrl.AbsoluteUri.TrimEnd('/');
        foreach (var suffix in (string[])["/v1", "/api"])
        {
            if (root.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return endpoint with { BaseUrl = new Uri(root[..^suffix.Length]) };
            }
        }

        return endpoint;
    }
}
