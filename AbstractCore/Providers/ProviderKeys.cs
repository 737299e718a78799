using Microsoft.Extensions.Primitives;

namespace AbstractCore.Providers;

/// <summary>Per-request provider keys: <c>X-AbstractCore-Provider-API-Key</c> (or the legacy
/// <c>X-Provider-API-Key</c>), optionally prefixed <c>Bearer </c>; placeholder values are ignored. With server
/// auth disabled, <c>Authorization: Bearer &lt;key&gt;</c> is the provider key too.</summary>
public static class ProviderKeys
{
    public const string Header = "X-AbstractCore-Provider-API-Key";
    public const string LegacyHeader = "X-Provider-API-Key";

    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "", "not-needed", "not_needed", "notneeded", "unused", "dummy", "empty", "none",
    };

    /// <summary>The provider key from a request's headers, as the host read them: <paramref name="key"/> is
    /// <see cref="Header"/>, <paramref name="legacyKey"/> <see cref="LegacyHeader"/>, <paramref name="authorization"/>
    /// <c>Authorization</c> (each empty when absent). <see cref="StringValues"/> as the host keeps them: nothing is
    /// copied, and a header is read as a string only when the ones before it gave no key.</summary>
    public static string? FromHeaders(StringValues key, StringValues legacyKey, StringValues authorization, bool serverAuthEnabled)
    {
        var value = Clean(key, bearerRequired: false) ?? Clean(legacyKey, bearerRequired: false);
        if (value is null && !serverAuthEnabled)
        {
            // Without server auth, a bearer token can only be meant for the provider. With server auth it is the
            // server token and never leaves the gateway.
            value = Clean(authorization, bearerRequired: true);
        }

        return value;
    }

    /// <summary>A key value as a client sent it (anywhere it is accepted): trimmed, without a <c>Bearer </c> prefix,
    /// null for a placeholder meaning "no key" (<c>not-needed</c>, <c>dummy</c>, …).</summary>
    public static string? Clean(string? raw) => Clean(raw, bearerRequired: false);

    private static string? Clean(string? raw, bool bearerRequired)
    {
        var value = raw?.Trim();
        if (value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..].Trim();
        }
        else if (bearerRequired)
        {
            return null; // Authorization: Basic … (or a bare value) is not a provider key
        }

        return value is null || Placeholders.Contains(value) ? null : value;
    }
}
