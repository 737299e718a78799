using Microsoft.Extensions.Configuration;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// The azure provider's settings beyond its endpoint and key (<see cref="ProviderCatalog"/>): the data-plane API version
/// every call carries, and the deployments to list, since Azure's data plane has no operation that lists them.
/// </summary>
public sealed record AzureOpenAISettings(string? ApiVersion, IReadOnlyList<string> Deployments)
{
    public const string ApiVersionSetting = "AZURE_OPENAI_API_VERSION";
    public const string DeploymentsSetting = "AZURE_OPENAI_DEPLOYMENTS";

    /// <summary><c>AZURE_OPENAI_API_VERSION</c> (blank: the Azure SDK's own) and <c>AZURE_OPENAI_DEPLOYMENTS</c>, a comma- or
    /// space-separated list of deployment names.</summary>
    public static AzureOpenAISettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var version = configuration[ApiVersionSetting]?.Trim();
        var deployments = (configuration[DeploymentsSetting] ?? "")
            .Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new AzureOpenAISettings(string.IsNullOrEmpty(version) ? null : version, deployments);
    }
}
