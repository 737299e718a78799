using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Providers;
using AbstractCore.Providers.Azure;
using AbstractCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;
using Microsoft.SemanticKernel.Embeddings;

namespace AbstractCore.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c> for <c>azure/&lt;deployment&gt;</c> through the connector's embedding service, used as an
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> through Semantic Kernel's own adapter; the answer is OpenAI's
/// list, vectors as floats or base64 as asked, usage as Azure reported it (<see cref="AzureEmbeddingUsage"/>). The
/// connector takes <c>dimensions</c> but not <c>user</c>, which is not sent.
/// </summary>
public sealed class AzureEmbeddings(AzureOpenAIClients clients)
{
    public async Task<byte[]> CreateAsync(ProviderEndpoint endpoint, EmbeddingRequest request, ModelRef model, CancellationToken cancellationToken)
    {
        List<string> inputs = request.Input is JsonArray items ? [.. items.Select(i => i!.GetValue<string>())] : [request.Input.GetValue<string>()];

#pragma warning disable CS0618, SKEXP0001 // The connector's only Azure embedding service in 1.82 (obsolete in favour of
        // IEmbeddingGenerator), made one through SK's own adapter.
        using var generator = new AzureOpenAITextEmbeddingGenerationService(model.Model, clients.Get(endpoint), dimensions: request.Dimensions)
            .AsEmbeddingGenerator();
#pragma warning restore CS0618, SKEXP0001

        var usage = AzureEmbeddingUsage.Start();
        GeneratedEmbeddings<Embedding<float>> vectors;
        try
        {
            vectors = await generator.GenerateAsync(inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureFailures.Translate(e) is { } failure)
        {
            throw failure;
        }

        return Write(vectors, model.ToString(), request.WantsBase64, usage.PromptTokens ?? 0);
    }

    private static byte[] Write(GeneratedEmbeddings<Embedding<float>> vectors, string model, bool base64, long tokens)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            for (var i = 0; i < vectors.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("object"u8, "embedding"u8);
                var vector = vectors[i].Vector.Span;
                if (base64)
                {
                    // OpenAI's base64 form: the float32 values little-endian, what the official SDKs ask for by default.
                    var bytes = new byte[vector.Length * sizeof(float)];
                    for (var j = 0; j < vector.Length; j++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vector[j]);
                    }

                    w.WriteBase64String("embedding"u8, bytes);
                }
                else
                {
                    w.WriteStartArray("embedding"u8);
                    foreach (var value in vector)
                    {
                        w.WriteNumberValue(value);
                    }

                    w.WriteEndArray();
                }

                w.WriteNumber("index"u8, i);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model"u8, model);
            w.WriteStartObject("usage"u8);
            w.WriteNumber("prompt_tokens"u8, tokens);
            w.WriteNumber("total_tokens"u8, tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
