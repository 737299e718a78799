using AbstractCore.Inference.Embeddings;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Inference.Models;

/// <summary><c>GET /v1/models</c>: the model folders, each with its context length (an embedding model's: its maximum
/// input) and its type, as LM Studio marks it: <c>llm</c> or <c>embeddings</c>.</summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", (ModelCatalog catalog, EmbeddingModels embeddings) =>
        {
            var chat = catalog.List().Select(m => new ModelInfo
            {
                Id = m.Name, Created = m.Created.ToUnixTimeSeconds(), OwnedBy = ModelCatalog.Provider, ContextLength = m.ContextLength, Type = "llm",
            });
            var embedding = embeddings.List().Select(m => new ModelInfo
            {
                Id = m.Name, Created = m.Created.ToUnixTimeSeconds(), OwnedBy = ModelCatalog.Provider, ContextLength = m.MaxLength, Type = ModelInfo.EmbeddingsType,
            });
            var list = new ModelList { Data = [.. chat.Concat(embedding).OrderBy(m => m.Id, StringComparer.Ordinal)] };
            return TypedResults.Json(list, OpenAIJsonContext.Wire.ModelList);
        }).WithName("Models");
        return endpoints;
    }
}
