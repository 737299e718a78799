using System.ClientModel.Primitives;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// Sets every call's <c>api-version</c> to the configured one. The Azure SDK only takes the versions its enum names (and
/// Semantic Kernel's settings fewer still), while Azure adds versions, previews included, faster than either ships, so the
/// configured string is written into the query as given.
/// </summary>
internal sealed class AzureApiVersionPolicy(string version) : RequestPolicy
{
    private const string Parameter = "api-version";

    protected override void Apply(PipelineRequest request)
    {
        if (request.Uri is not { } uri)
        {
            return;
        }

        var kept = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith(Parameter + "=", StringComparison.OrdinalIgnoreCase) && p != Parameter);
        request.Uri = new UriBuilder(uri) { Query = string.Join('&', [.. kept, Parameter + "=" + Uri.EscapeDataString(version)]) }.Uri;
    }
}
