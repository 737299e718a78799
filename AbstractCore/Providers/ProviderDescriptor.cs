namespace AbstractCore.Providers;

/// <summary>How one provider is configured: where it lives and which key it takes.</summary>
public sealed record ProviderDescriptor(
    string Name,
    string[] BaseUrlSettings,
    string? DefaultBaseUrl,
    string[] ApiKeySettings,
    bool RequiresKey = false,
    ProviderAuthStyle AuthStyle = ProviderAuthStyle.Bearer,
    ProviderProtocol Protocol = ProviderProtocol.OpenAICompatible)
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
