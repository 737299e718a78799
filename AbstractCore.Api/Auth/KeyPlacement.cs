using System.Text.Json;
using AbstractCore.Api.Errors;

namespace AbstractCore.Api.Auth;

/// <summary>
/// Where a provider key may travel: in the <c>X-AbstractCore-Provider-API-Key</c> header. A body <c>api_key</c> is
/// refused on every route that takes a body (it leaks through bodies, logs and client history), and a query-string
/// <c>api_key</c> everywhere but <c>GET /v1/models</c> (URLs are logged everywhere).
/// </summary>
internal static class KeyPlacement
{
    public const string BodyApiKeyMessage = AbstractCore.Media.BodyRules.ApiKeyMessage;

    public const string QueryApiKeyMessage =
        "Query-string api_key is disabled because URLs are routinely logged (proxies, access logs, browser history). " +
        "Send the provider key in the X-AbstractCore-Provider-API-Key header instead, or configure provider keys on the server.";

    /// <summary>Endpoint metadata: this route reads <c>api_key</c> from its query string itself.</summary>
    internal sealed class QueryApiKeyAllowed
    {
        public static QueryApiKeyAllowed Instance { get; } = new();
    }

    /// <summary>Marks a route that accepts <c>?api_key=</c> (only <c>GET /v1/models</c> does).</summary>
    public static TBuilder AllowQueryApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(QueryApiKeyAllowed.Instance);

    /// <summary>400 when a body (its unmapped fields) carries <c>api_key</c>, whatever its value.</summary>
    public static void RejectBodyApiKey(IReadOnlyDictionary<string, JsonElement>? extra)
    {
        if (extra?.ContainsKey("api_key") == true)
        {
            throw BodyApiKey();
        }
    }

    /// <summary>400 when a JSON body object carries <c>api_key</c>, for routes that read their body as a document.</summary>
    public static void RejectBodyApiKey(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("api_key", out _))
        {
            throw BodyApiKey();
        }
    }

    /// <summary>Refuses <c>?api_key=</c> on every route not marked with <see cref="AllowQueryApiKey{TBuilder}"/>.
    /// Runs after the server auth check, once the route is known.</summary>
    public static void UseQueryApiKeyRule(this WebApplication app) =>
        app.Use((context, next) =>
            context.Request.Query.ContainsKey("api_key") && context.GetEndpoint()?.Metadata.GetMetadata<QueryApiKeyAllowed>() is null
                ? ErrorResponses.WriteAsync(context, QueryApiKey())
                : next(context));

    private static GatewayException BodyApiKey() => GatewayException.BadRequest(BodyApiKeyMessage, "api_key");

    private static GatewayException QueryApiKey() => GatewayException.BadRequest(QueryApiKeyMessage, "api_key");
}
