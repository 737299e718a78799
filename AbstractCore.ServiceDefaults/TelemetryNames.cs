namespace Microsoft.Extensions.Hosting;

/// <summary>Activity sources and meters the services export besides the ASP.NET Core, HttpClient and runtime ones.</summary>
public static class TelemetryNames
{
    /// <summary>Prefix wildcard for the services' own sources and meters (<see cref="Api"/>, <see cref="Inference"/>, <see cref="Jobs"/>).</summary>
    public const string AbstractCoreWildcard = "AbstractCore.*";

    /// <summary>The gateway: its GenAI client spans (<c>chat {model}</c>), request counts, tokens, latencies.</summary>
    public const string Api = "AbstractCore.Api";

    /// <summary>The local model service: its generation spans, server-side GenAI metrics and scheduler gauges.</summary>
    public const string Inference = "AbstractCore.Inference";

    /// <summary>The media-job consumer (in the Jobs worker, and in a standalone Api): job spans, running and queued jobs.</summary>
    public const string Jobs = "AbstractCore.Jobs";

    /// <summary>MassTransit 8's activity source and meter (send, receive and consume spans; consumer metrics). Trace
    /// context travels from the sender to the consumer in the message headers.</summary>
    public const string MassTransit = "MassTransit";

    /// <summary>Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> default source name.</summary>
    public const string ExtensionsAI = "Microsoft.Extensions.AI";

    /// <summary>The GenAI semantic-convention source and meter used by Microsoft.Extensions.AI and the OpenAI SDK.</summary>
    public const string ExperimentalExtensionsAI = "Experimental.Microsoft.Extensions.AI";

    /// <summary>Every activity source (wildcards allowed) the services export.</summary>
    public static IReadOnlyList<string> Sources { get; } = [AbstractCoreWildcard, MassTransit, ExtensionsAI, ExperimentalExtensionsAI];

    /// <summary>Every meter (wildcards allowed) the services export.</summary>
    public static IReadOnlyList<string> Meters { get; } = [AbstractCoreWildcard, MassTransit, ExtensionsAI, ExperimentalExtensionsAI];

    /// <summary>Sources and meters (the same names).</summary>
    public static IReadOnlyList<string> All => Sources;
}
