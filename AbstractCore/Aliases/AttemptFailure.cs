using System.Globalization;
using AbstractCore.Upstream;
using Polly.CircuitBreaker;

namespace AbstractCore.Aliases;

/// <summary>What a failed attempt means for the next one.</summary>
public enum RetryKind
{
    /// <summary>The caller's fault or the final word (400, a caller's own key refused, 404 model): answered as it is.</summary>
    None,

    /// <summary>The deployment failed (unreachable, 408, 429, 5xx, 529, no first byte in time, cooling down): another one, or this one after a wait.</summary>
    Transient,

    /// <summary>The prompt does not fit: only a deployment with a larger <c>context_window</c>.</summary>
    ContextLength,

    /// <summary>A content policy refused it: only the deployments marked <c>content_policy_fallback</c>.</summary>
    ContentPolicy,
}

/// <summary>
/// How the failure of one attempt is read: whether the request may go on elsewhere, why (the telemetry's retry reason),
/// whether it counts against the deployment's circuit, and how long the upstream asked to be left alone.
/// </summary>
public readonly record struct AttemptFailure(RetryKind Kind, string Reason, TimeSpan? RetryAfter, bool CountsAgainstDeployment)
{
    private static readonly AttemptFailure Final = new(RetryKind.None, "final", null, false);

    /// <param name="callersKey">Whether the attempt used the caller's own provider key: then a 401 or 403 is the caller's
    /// to fix; with a key the server holds it is the deployment's misconfiguration, tried elsewhere.</param>
    public static AttemptFailure Of(Exception exception, bool callersKey = false) => exception switch
    {
        BrokenCircuitException => new(RetryKind.Transient, "cooldown", null, false),
        GatewayException g => OfGateway(g, callersKey),
        _ => Final,
    };

    private static AttemptFailure OfGateway(GatewayException e, bool callersKey)
    {
        var upstream = e.Headers?.GetValueOrDefault(UpstreamFailure.StatusHeader) is { } s &&
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : (int?)null;
        if (upstream is null)
        {
            // Nothing came back: the transport failed, or the deadline passed before the first byte.
            return e.Code switch
            {
                "upstream_unreachable" => new(RetryKind.Transient, "connect", null, true),
                "upstream_timeout" => new(RetryKind.Transient, "first_byte_timeout", null, true),
                "upstream_disconnected" or "upstream_invalid_response" => new(RetryKind.Transient, "broken_response", null, true),
                Providers.ProviderResolver.DeploymentKeyMissingCode => new(RetryKind.Transient, "deployment_key_missing", null, true),
                _ => Final,
            };
        }

        return upstream switch
        {
            408 => new(RetryKind.Transient, "status_408", null, true),
            429 => new(RetryKind.Transient, "status_429", ReadRetryAfter(e), true),
            >= 500 => new(RetryKind.Transient, upstream == 529 ? "status_529" : "status_5xx", ReadRetryAfter(e), true),
            401 or 403 when !callersKey => new(RetryKind.Transient, "deployment_key_refused", null, true),
            400 or 413 or 422 when IsContextLength(e) => new(RetryKind.ContextLength, "context_length", null, false),
            400 or 403 or 422 when IsContentPolicy(e) => new(RetryKind.ContentPolicy, "content_policy", null, false),
            _ => Final,
        };
    }

    private static bool IsContextLength(GatewayException e) =>
        e.Code is "context_length_exceeded" or "string_above_max_length" ||
        ContainsAny(e.Message, "context length", "context window", "maximum context", "prompt is too long", "too many tokens", "input is too long");

    private static bool IsContentPolicy(GatewayException e) =>
        e.Code is "content_policy_violation" or "content_filter" or "content_filtered" ||
        ContainsAny(e.Message, "content policy", "content management policy", "content_filter", "safety system");

    private static bool ContainsAny(string text, params string[] needles) =>
        needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>retry-after-ms</c> (OpenAI, Azure) or <c>Retry-After</c> in seconds or as an HTTP date.</summary>
    private static TimeSpan? ReadRetryAfter(GatewayException e)
    {
        if (e.Headers is not { } headers)
        {
            return null;
        }

        if (headers.GetValueOrDefault("retry-after-ms") is { } ms && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m >= 0)
        {
            return TimeSpan.FromMilliseconds(m);
        }

        if (headers.GetValueOrDefault("Retry-After") is not { } value)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Max(at - DateTimeOffset.UtcNow, TimeSpan.Zero)
            : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
