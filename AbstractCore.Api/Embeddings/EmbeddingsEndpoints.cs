using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Embeddings;

namespace AbstractCore.Api.Embeddings;

internal static class EmbeddingsEndpoints
{
    private static readonly RequestExample Example = new(typeof(EmbeddingRequestBody), """
        {
          "model": "openai/text-embedding-3-small",
          "input": ["The quick brown fox", "jumps over the lazy dog"],
          "encoding_format": "float"
        }
        """);

    public static void MapEmbeddings(this OpenAIApi api)
    {
        api.V1.MapPost("/embeddings", EmbeddingsHandler.HandleAsync)
            .AddEndpointFilter(Caching.EmbeddingsCacheFilter.InvokeAsync)
            .WithTags("Embeddings").WithSummary("Create embedding vectors (OpenAI-compatible providers, Ollama, Azure, local ONNX models)")
            .WithMetadata(Example)
            .Produces<EmbeddingList>();
    }
}
