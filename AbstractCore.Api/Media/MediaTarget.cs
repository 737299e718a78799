using AbstractCore.Routing;

namespace AbstractCore.Api.Media;

/// <summary>Where a media request goes.</summary>
/// <param name="Provider">The provider's name, lower case.</param>
/// <param name="Model">The upstream model id; null when only the provider was named (the upstream's default).</param>
/// <param name="BaseUrl">The request's (or the capability default's) base URL, null for the configured one.</param>
internal sealed record MediaTarget(string Provider, string? Model, string? BaseUrl)
{
    /// <summary>The model as routes that always send one name it: <c>default</c> when only the provider was named.</summary>
    public ModelRef Ref => new(Provider, Model ?? "default");
}
