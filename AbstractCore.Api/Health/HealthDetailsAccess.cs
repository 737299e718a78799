using System.Security.Cryptography;
using System.Text;
using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Health;

/// <summary>
/// Who sees <c>/health</c>'s details: a caller presenting the server token (<c>Authorization: Bearer</c>, compared in
/// constant time like everywhere else). <c>/health</c> is an open path, so the token is checked here; a wrong or missing
/// one is not refused, it just gets the short answer. With auth disabled no caller can prove it is the operator, so
/// nobody gets the details (<c>/ready</c> still answers 200/503 for the dependencies).
/// </summary>
internal sealed class HealthDetailsAccess(GatewaySettings settings)
{
    private readonly byte[]? _expected = settings.AuthToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(settings.AuthToken));

    public bool Allows(HttpContext context)
    {
        if (_expected is null)
        {
            return false;
        }

        if (ServerAuth.IsAuthenticated(context))
        {
            return true;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = header[7..].Trim();
        return presented.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected);
    }
}
