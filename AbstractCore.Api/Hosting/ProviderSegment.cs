namespace AbstractCore.Api.Hosting;

/// <summary>
/// The <c>{provider}</c> of <c>/{provider}/v1/…</c>: any name but the server's own top-level paths, so
/// <c>/docs/v1/chat/completions</c> is no route at all rather than a chat call to a provider named "docs".
/// </summary>
internal sealed class ProviderSegment : IRouteConstraint
{
    public const string Prefix = "/{provider:provider}";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "docs", "docs-lite", "redoc", "scalar", "openapi.json", "health", "alive", "ready", "acore", "v1", "favicon.ico",
    };

    public static void Register(IServiceCollection services) =>
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<ProviderSegment>("provider"));

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string name && name.Length > 0 && !Reserved.Contains(name);
}
