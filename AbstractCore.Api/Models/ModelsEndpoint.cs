using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Models;
using AbstractCore.Providers;

namespace AbstractCore.Api.Models;

/// <summary><c>GET /v1/models</c>: <c>provider/model</c> ids from every configured provider, asked in parallel;
/// a provider that does not answer is left out (and logged) rather than failing the list.</summary>
public static partial class ModelsEndpoint
{
    public static void MapModels(this WebApplication app)
    {
        app.MapGet("/v1/models", (HttpContext c, string? provider) => ListAsync(c, provider))
            .WithTags("Models").WithSummary("List models of every configured provider").Produces<ModelList>();
        app.MapGet("/{provider}/v1/models", (HttpContext c, string provider) => ListAsync(c, provider))
            .WithTags("Models").WithSummary("List one provider's models").Produces<ModelList>();
    }

    private static async Task<IResult> ListAsync(HttpContext context, string? only)
    {
        var services = context.RequestServices;
        var resolver = services.GetRequiredService<ProviderResolver>();
        var backends = services.GetRequiredService<ChatBackends>();
        var settings = services.GetRequiredService<GatewaySettings>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.Api.Models");
        var key = ProviderKeys.FromHeaders(context.Request.Headers, settings.AuthEnabled);
        var aborted = context.RequestAborted;

        IEnumerable<ProviderDescriptor> targets = only is null
            ? ProviderCatalog.All.Where(resolver.IsConfigured)
            : [resolver.Find(only)];

        var lists = await Task.WhenAll(targets.Select(async provider =>
        {
            try
            {
                var endpoint = await resolver.ResolveAsync(provider, null, only is null ? null : key, aborted);
                return await backends.For(provider).ListModelsAsync(endpoint, aborted);
            }
            catch (Exception e) when (e is not OperationCanceledException || !aborted.IsCancellationRequested)
            {
                LogListFailed(logger, provider.Name, e.Message);
                return [];
            }
        }));

        return TypedResults.Json(new ModelList { Data = [.. lists.SelectMany(l => l)] }, OpenAIJsonContext.Wire.ModelList);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing models of {Provider} failed, left out of /v1/models: {Message}")]
    private static partial void LogListFailed(ILogger logger, string provider, string message);
}
