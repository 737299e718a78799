using AbstractCore.Api.Auth;
using AbstractCore.Api.Blocs;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Api.Spend;

namespace AbstractCore.Api.ControlPlane;

internal static class ControlPlaneEndpoints
{
    /// <summary>
    /// <c>/acore/*</c>, AbstractCore's own control plane: the docs' token check, model residency, the prompt cache, the memory blocs,
    /// the virtual keys and their spend.
    /// Every route needs the server token, as its endpoint declares nothing open.
    /// </summary>
    public static IEndpointRouteBuilder MapControlPlane(this IEndpointRouteBuilder endpoints)
    {
        var acore = endpoints.MapGroup("/acore");
        var settings = endpoints.ServiceProvider.GetRequiredService<GatewaySettings>();
        acore.MapGet("/auth/validate", (HttpContext context) => TypedResults.Json(
                new AuthValidation(true, settings.AuthEnabled, ServerAuth.IsAuthenticated(context)), AuthJsonContext.Default.AuthValidation))
            .ExcludeFromDescription(); // the docs' token gate calls it; it is no API of its own

        var models = acore.MapGroup("/models").WithTags("Runtime");
        models.MapPost("/load", ResidencyHandler.LoadAsync);
        models.MapGet("/loaded", ResidencyHandler.LoadedAsync);
        models.MapPost("/unload", ResidencyHandler.UnloadAsync);

        var promptCache = acore.MapGroup("/prompt_cache").WithTags("Prompt Cache");
        foreach (var op in (string[])["capabilities", "stats"])
        {
            promptCache.MapGet("/" + op, (HttpContext c, ControlPlaneForwarder f) => PromptCacheHandler.HandleAsync(c, f, op));
        }

        foreach (var op in (string[])["set", "update", "fork", "clear", "prepare_modules"])
        {
            promptCache.MapPost("/" + op, (HttpContext c, ControlPlaneForwarder f) => PromptCacheHandler.HandleAsync(c, f, op));
        }

        acore.MapBlocs();
        acore.MapKeys();
        acore.MapSpend();
        return endpoints;
    }
}
