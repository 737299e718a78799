namespace Microsoft.Extensions.Hosting;

/// <summary>Activity sources and meters the services export besides the ASP.NET Core, HttpClient and runtime ones.</summary>
public static class TelemetryNames
{
    /// <summary>Prefix wildcard for the services' own sources and meters ("AbstractCore.Api", "AbstractCore.Inference", …).</summary>
    public const string AbstractCoreWildcard = "AbstractCore.*";

    /// <summary>Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> default source name.</summary>
    public const string ExtensionsAI = "Microsoft.Extensions.AI";

    /// <summary>The GenAI semantic-convention source and meter used by Microsoft.Extensions.AI and the OpenAI SDK.</summary>
    public const string ExperimentalExtensionsAI = "Experimental.Microsoft.Extensions.AI";

    public static IReadOnlyList<string> All { get; } = [AbstractCoreWildcard, ExtensionsAI, ExperimentalExtensionsAI];
}
