namespace AbstractCore.Api.Keys;

/// <summary>What a virtual key may call, for the routes that answer without planning an upstream call (the response cache).</summary>
internal static class KeyAccess
{
    /// <summary>Refuses the request when its virtual key may not use <paramref name="model"/> (as routed: <c>provider/model</c> or an alias).</summary>
    public static void RequireModel(HttpContext context, string model)
    {
        // filled by the keys work
    }
}
