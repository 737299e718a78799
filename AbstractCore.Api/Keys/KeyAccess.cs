namespace AbstractCore.Api.Keys;

/// <summary>
/// What a virtual key may call, checked where the request is known: its route when it authenticates
/// (<see cref="KeyGate"/>), its model once a handler has read which one (<see cref="RequireModel"/>).
/// </summary>
internal static class KeyAccess
{
    /// <summary>Throws 403 when the request's key may not use <paramref name="model"/> (<c>provider/model</c> or an alias).</summary>
    public static void RequireModel(HttpContext context, string model)
    {
        if (KeyContext.Of(context) is { Models: { Length: > 0 } globs } key && !Globs.AnyMatch(globs, model))
        {
            throw new GatewayException(403,
                $"The key '{key.Name}' may not use the model '{model}'. It may use: {string.Join(", ", globs)}.",
                "permission_error", "model", "model_not_allowed");
        }
    }

    /// <summary>The planner's route for <paramref name="model"/>, once the request's key may use it: the alias it names, or
    /// the <c>provider/model</c> it resolves to (a path provider included).</summary>
    public static AbstractCore.Pipeline.ChatRoute Route(this AbstractCore.Pipeline.ChatPlanner planner, HttpContext context, string model, string? pathProvider)
    {
        var route = planner.Route(model, pathProvider);
        if (KeyContext.Of(context) is { Models.Length: > 0 })
        {
            RequireModel(context, route.Alias?.Name ?? route.Provider.Name + "/" + route.Model.Model);
        }

        return route;
    }

    /// <summary>The route's template (<c>/v1/chat/completions</c>, <c>/{provider}/v1/chat/completions</c>), matched
    /// against the key's route globs: the endpoint, never the raw path.</summary>
    public static bool RouteAllowed(VirtualKey key, Endpoint? endpoint) =>
        key.Routes is not { Length: > 0 } globs
        || (endpoint is RouteEndpoint { RoutePattern.RawText: { } template } && Globs.AnyMatch(globs, Template(template)));

    /// <summary><c>/{provider:provider}/v1/x</c> → <c>/{provider}/v1/x</c>, so a key's globs need not know constraints.</summary>
    private static string Template(string raw)
    {
        var template = raw.StartsWith('/') ? raw : "/" + raw;
        return template.Contains(':', StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(template, @"\{(\w+):[^}]+\}", "{$1}")
            : template;
    }
}
