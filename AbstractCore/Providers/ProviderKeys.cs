using Microsoft.AspNetCore.Http;

namespace AbstractCore.Providers;

/// <summary>Per-request provider keys: <c>X-AbstractCore-Provider-API-Key</c> (or the legacy
/// <c>X-Provider-API-Key</c>), optionally prefixed <c>Bearer </c>; placeholder values are ignored.</summary>
public static class ProviderKeys
{
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "not-needed", "not_needed", "notneeded", "unused", "dummy", "empty", "none",
    };

    public static string? FromHeaders(IHeaderDictionary headers, bool serverAuthEnabled)
    {
        var value = Clean(headers["X-AbstractCore-Provider-API-Key"]) ?? Clean(headers["X-Provider-API-Key"]);
        if (value is null && !serverAuthEnabled)
        {
            // Without server auth, a bearer token can only be meant for the provider.
            value = Clean(headers.Authorization);
        }

        return value;
    }

    private static string? Clean(string? raw)
    {
        var value = raw?.Trim();
        if (value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..].Trim();
        }

        return value is null || Placeholders.Contains(value) ? null : value;
    }
}
