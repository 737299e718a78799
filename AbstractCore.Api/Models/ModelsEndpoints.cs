using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Api.Models;

internal static class ModelsEndpoints
{
    /// <summary><c>/v1/models</c> (its provider twin lists one provider: <c>provider</c> binds from the path there, from the
    /// query under <c>/v1</c>) and <c>/providers</c>, outside <c>/v1</c> as in the specification.</summary>
    public static void MapModels(this OpenAIApi api)
    {
        api.MapBoth(g => g.MapGet("/models", ModelsHandler.ListAsync)
                .WithTags("Models").Produces<ModelList>().AllowQueryApiKey(),
            "List models of every configured provider", "List one provider's models");
        api.Root.MapGet("/providers", ModelsHandler.ProvidersAsync)
            .WithTags("Models").WithSummary("Providers and their status (available, unavailable, unconfigured)").Produces<ProviderList>();
    }
}
