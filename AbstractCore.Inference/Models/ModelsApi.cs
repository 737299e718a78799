using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Inference.Models;

/// <summary><c>GET /v1/models</c>: the model folders, each with its context length.</summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", (ModelCatalog catalog) =>
        {
            var list = new ModelList
            {
                Data = catalog.List().Select(m => new ModelInfo
                {
                    Id = m.Name,
                    Created = m.Created.ToUnixTimeSeconds(),
                    OwnedBy = ModelCatalog.Provider,
                    ContextLength = m.ContextLength,
                }).ToList(),
            };
            return TypedResults.Json(list, OpenAIJsonContext.Wire.ModelList);
        }).WithName("Models");
        return endpoints;
    }
}
