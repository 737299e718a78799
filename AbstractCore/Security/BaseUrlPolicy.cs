using System.Net;

namespace AbstractCore.Security;

/// <summary>
/// Request-level <c>base_url</c> overrides: loopback only (a name must resolve to loopback addresses only).
/// The configurable allowlist arrives with the security issue.
/// </summary>
public static class BaseUrlPolicy
{
    public const string RefusedMessage =
        "Request-level base_url overrides are restricted for security. By default only loopback URLs are allowed. " +
        "To allow additional hosts/prefixes, set ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST.";

    public static async Task<Uri> ValidateAsync(string baseUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(baseUrl.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            string.IsNullOrEmpty(uri.Host))
        {
            throw GatewayException.BadRequest("base_url must be an absolute http(s) URL.", "base_url");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !await IsLoopbackAsync(uri.IdnHost, cancellationToken))
        {
            throw new GatewayException(403, RefusedMessage, "forbidden", "base_url");
        }

        return uri;
    }

    private static async Task<bool> IsLoopbackAsync(string host, CancellationToken cancellationToken)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            return IPAddress.IsLoopback(ip);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
