namespace AbstractCore.Security;

/// <summary>Why <see cref="BaseUrlPolicy"/> accepted a request-chosen <c>base_url</c>, which decides what the
/// connections made for it may reach (<see cref="BaseUrlConnectGuard"/>).</summary>
public enum BaseUrlGrant
{
    /// <summary>Its host is loopback: every connection must reach a loopback address.</summary>
    Loopback,

    /// <summary>It matches <c>ABSTRACTCORE_SERVER_BASE_URL_ALLOWLIST</c>: the operator vouched for the name, whatever
    /// its addresses.</summary>
    Allowlisted,
}

/// <summary>A request-chosen <c>base_url</c> that passed <see cref="BaseUrlPolicy"/>, with the grant it passed by.</summary>
public sealed record RequestBaseUrl(Uri Url, BaseUrlGrant Grant);
