namespace AbstractCore.Api.Keys;

/// <summary>
/// The virtual key a request authenticated with, as a request feature; absent for the server token (full rights) and
/// for open routes.
/// </summary>
internal sealed class KeyContext(VirtualKey key)
{
    public VirtualKey Key { get; } = key;

    public static VirtualKey? Of(HttpContext context) => context.Features.Get<KeyContext>()?.Key;
}
