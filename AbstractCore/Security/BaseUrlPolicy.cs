namespace AbstractCore.Security;

/// <summary>
/// Request-level <c>base_url</c> overrides (spec §2.3): an http(s) URL with a host, no userinfo and a valid
/// port, whose host is loopback (a name must resolve to loopback addresses only) or which matches
/// <c>ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST</c>. Anything else is the same 403, so a caller learns nothing
/// about which rule it broke. This is the check when the request arrives; the connections themselves are checked
/// again, on the address actually reached, by <see cref="BaseUrlConnectGuard"/>.
/// </summary>
public static class BaseUrlPolicy
{
    public const string RefusedMessage =
        "Request-level base_url overrides are restricted for security. By default only loopback URLs are allowed. " +
        "To allow additional hosts/prefixes, set ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST.";

    public static Task<Uri> ValidateAsync(string baseUrl, UrlAllowlist allowlist, CancellationToken cancellationToken) =>
        ValidateAsync(baseUrl, allowlist, HostResolvers.System, cancellationToken);

    /// <summary>Same, with the resolver used for the loopback test given (tests answer without DNS).</summary>
    public static async Task<Uri> ValidateAsync(
        string baseUrl, UrlAllowlist allowlist, HostResolver resolver, CancellationToken cancellationToken) =>
        (await CheckAsync(baseUrl, allowlist, resolver, cancellationToken)).Url;

    /// <summary>The accepted URL and why it was accepted, which the upstream connection must keep to.</summary>
    public static async Task<RequestBaseUrl> CheckAsync(
        string baseUrl, UrlAllowlist allowlist, HostResolver resolver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(allowlist);
        ArgumentNullException.ThrowIfNull(resolver);
        if (UrlCanonical.ParseHttp(baseUrl) is not { } uri || uri.UserInfo.Length > 0 || uri.Port is < 1 or > 65535)
        {
            throw Refused();
        }

        // The allowlist needs no DNS, so it is asked first.
        if (allowlist.Matches(uri))
        {
            return new RequestBaseUrl(uri, BaseUrlGrant.Allowlisted);
        }

        if (await AddressRules.IsLoopbackHostAsync(uri, resolver, cancellationToken))
        {
            return new RequestBaseUrl(uri, BaseUrlGrant.Loopback);
        }

        throw Refused();
    }

    internal static GatewayException Refused() => new(403, RefusedMessage, "forbidden", "base_url");
}
