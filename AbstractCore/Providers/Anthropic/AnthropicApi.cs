namespace AbstractCore.Providers.Anthropic;

/// <summary>Where Anthropic's API lives under a configured base URL, and the API version the gateway speaks when a
/// client names none.</summary>
public static class AnthropicApi
{
    public const string Version = "2023-06-01";

    /// <summary><c>{base}/v1</c>, whether or not the configured base URL ends in <c>/v1</c> already.</summary>
    public static string Base(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var root = baseUrl.AbsoluteUri.TrimEnd('/');
        return root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1";
    }
}
