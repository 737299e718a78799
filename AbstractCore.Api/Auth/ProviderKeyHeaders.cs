using AbstractCore.Providers;

namespace AbstractCore.Api.Auth;

/// <summary>Reads the provider key headers of a request for <see cref="ProviderKeys.FromHeaders"/>, which takes their
/// values as Kestrel keeps them (no copy, no dictionary).</summary>
internal static class ProviderKeyHeaders
{
    /// <summary>The provider key this request carries, or null (see <see cref="ProviderKeys"/>).</summary>
    public static string? ProviderKey(this IHeaderDictionary headers, bool serverAuthEnabled) =>
        ProviderKeys.FromHeaders(headers[ProviderKeys.Header], headers[ProviderKeys.LegacyHeader], headers.Authorization, serverAuthEnabled);
}
