using AbstractCore.Providers;
using AbstractCore.Routing;

namespace AbstractCore.Aliases;

/// <summary>How an alias spreads its requests over its healthy deployments.</summary>
public enum AliasStrategy
{
    /// <summary>Random, in proportion to each deployment's weight.</summary>
    Weighted,

    /// <summary>The deployment with the fewest calls in flight.</summary>
    LeastBusy,

    /// <summary>The deployment with the lowest recent time to first byte (an EWMA).</summary>
    Latency,
}

/// <summary>What an alias does when a stream breaks after its first byte.</summary>
public enum AliasResume
{
    /// <summary>The stream ends with an in-band error: tokens were delivered, so nothing is retried.</summary>
    None,

    /// <summary>The next deployment continues from the delivered text, given to it as an assistant prefix.</summary>
    Prefill,
}

/// <summary>
/// A model name (<c>team/smart</c>) served by an ordered list of deployments (<see cref="AliasDeployment"/>), with how to
/// balance them and the timeouts of its attempts. Read from <c>model_aliases</c> (<see cref="ModelAliases"/>).
/// </summary>
/// <param name="FirstByteTimeout">How long an attempt may wait for its first byte before the next one starts; null: the
/// request's upstream deadline.</param>
/// <param name="StreamIdleTimeout">The longest silence between a stream's chunks once it started.</param>
/// <param name="MaxAttempts">Attempts per request, the first included.</param>
public sealed record ModelAlias(
    string Name, IReadOnlyList<AliasDeployment> Deployments, AliasStrategy Strategy, AliasResume Resume,
    TimeSpan? FirstByteTimeout, TimeSpan StreamIdleTimeout, int MaxAttempts, TimeSpan Cooldown, int FailuresToCool)
{
    public static readonly TimeSpan DefaultStreamIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The most deployments an alias takes: a request's tried ones are the bits of one <see cref="ulong"/>.</summary>
    public const int MaxDeployments = 64;
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromSeconds(30);
    public const int DefaultFailuresToCool = 3;

    /// <summary>The longest <c>Retry-After</c> an attempt waits for on the same deployment; a longer one ends the request
    /// with the upstream's 429 and its header, for the client to wait.</summary>
    public static readonly TimeSpan MaxRetryWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The failure a client gets, without the deployments' URLs: a transport error quotes the address it could not reach
    /// (<c>Connection refused (10.0.0.5:8000)</c>), which the alias keeps to itself; the deployment's name stands in.
    /// </summary>
    public GatewayException Conceal(GatewayException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var message = failure.Message;
        foreach (var d in Deployments)
        {
            if (d.BaseUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                message = message.Replace(url.TrimEnd('/'), $"deployment '{d.Name}'", StringComparison.OrdinalIgnoreCase)
                    .Replace(uri.Authority, $"deployment '{d.Name}'", StringComparison.OrdinalIgnoreCase);
            }
        }

        return ReferenceEquals(message, failure.Message) || message == failure.Message
            ? failure
            : new GatewayException(failure.Status, message, failure.Type, failure.Param, failure.Code) { Headers = failure.Headers };
    }
}

/// <summary>
/// One place an alias's requests go: a <c>provider/model</c>, optionally its own base URL and the setting holding its key
/// (the name only: the key is read from the environment or configuration, never shown), its weight and limits.
/// </summary>
/// <param name="ContextWindow">Tokens the deployment takes; a context-length refusal falls back to a larger one.</param>
/// <param name="ContentPolicyFallback">Whether a content-policy refusal elsewhere falls back to this deployment.</param>
public sealed record AliasDeployment(
    string Name, ModelRef Model, string? BaseUrl, string? ApiKeyEnv, int Weight, int? MaxConcurrency, int? Rpm,
    int? ContextWindow, bool ContentPolicyFallback)
{
    /// <summary>Where <see cref="Providers.ProviderResolver.ResolveDeploymentAsync"/> sends it.</summary>
    public ConfiguredUpstream Upstream { get; } = new(Name, BaseUrl, ApiKeyEnv);
}
