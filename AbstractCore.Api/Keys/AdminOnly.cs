namespace AbstractCore.Api.Keys;

/// <summary>Endpoint metadata: the server token or a virtual key with the <c>admin</c> scope, never a plain key.</summary>
internal sealed class AdminOnly
{
    public static AdminOnly Instance { get; } = new();
}
