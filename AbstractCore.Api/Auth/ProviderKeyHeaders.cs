using AbstractCore.Providers;

namespace AbstractCore.Api.Auth;

/// <summary>Reads the provider key headers of a request for <see cref="ProviderKeys.FromHeaders"/>, which takes their
/// values as Kestrel keeps them (no copy, no dictionary).</summary>
internal static class ProviderKeyHeaders
{
    /// <summary>Anthropic's key header, which Anthropic clients send: the server token, or without server auth the provider key.</summary>
    public const string AnthropicKey = "x-api-key";

    /// <summary>The provider key this request carries, or null (see <see cref="ProviderKeys"/>). Without server auth an
    /// Anthropic client's <c>x-api-key</c> is meant for the provider, as a bearer token is.</summary>
    public static string? ProviderKey(this IHeaderDictionary headers, bool serverAuthEnabled)
    {
        // A virtual key authenticates with the gateway, as the server token does: it is never a provider's key.
        serverAuthEnabled |= CarriesVirtualKey(headers);
        return ProviderKeys.FromHeaders(headers[ProviderKeys.Header], headers[ProviderKeys.LegacyHeader], headers.Authorization, serverAuthEnabled)
            ?? (serverAuthEnabled || headers.Authorization.Count > 0 ? null : ProviderKeys.Clean(headers[AnthropicKey]));
    }

    /// <summary>The gateway credential a client presents: <c>Authorization: Bearer</c>, or Anthropic's <c>x-api-key</c>
    /// (Claude Code and the Anthropic SDKs send only that); empty when none.</summary>
    public static string Credential(this IHeaderDictionary headers)
    {
        var header = headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim()
            : header.Length == 0 ? headers[AnthropicKey].ToString().Trim() : "";
    }

    private static bool CarriesVirtualKey(IHeaderDictionary headers) =>
        Keys.KeySecrets.LooksLikeKey(headers.Credential());
}
