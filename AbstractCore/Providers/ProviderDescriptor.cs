namespace AbstractCore.Providers;

/// <summary>How one provider is configured: where it lives and which key it takes.</summary>
/// <param name="IdentitySetting">For a provider that authenticates with the server's own identity when no key is set
/// (Azure's Entra ID): the setting whose presence means that identity is in use, guarded as a server-held key is.</param>
public sealed record ProviderDescriptor(
    string Name,
    string[] BaseUrlSettings,
    string? DefaultBaseUrl,
    string[] ApiKeySettings,
    bool RequiresKey = false,
    ProviderAuthStyle AuthStyle = ProviderAuthStyle.Bearer,
    ProviderProtocol Protocol = ProviderProtocol.OpenAICompatible,
    string? IdentitySetting = null)
{
    /// <summary>The setting a server-held key is read from, named in messages.</summary>
    public string? KeySettingName => ApiKeySettings.Length > 0 ? ApiKeySettings[0] : null;
}

public enum ProviderAuthStyle
{
    /// <summary><c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    Bearer,

    /// <summary>Portkey's <c>x-portkey-api-key</c> header.</summary>
    Portkey,
}
