namespace AbstractCore.Providers;

/// <summary>
/// An upstream the operator configured by name (a model alias's deployment): its own base URL and the setting that holds
/// its key, either null for the provider's own. One instance per configured upstream: its resolution is cached by it.
/// </summary>
public sealed record ConfiguredUpstream(string Name, string? BaseUrl, string? KeySetting);
