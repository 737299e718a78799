using System.Collections.Concurrent;
using System.Globalization;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Logging;

/// <summary>
/// Upstream refusals (400/401/403/404/429 answered by a provider) in the operator's log: one Warning per request with
/// provider, model, status and the upstream's error code (never its message, which may quote the key). A wrong provider
/// key refuses every request, so each provider+status gets <see cref="PerMinute"/> lines a minute; the rest are counted
/// and summed up in one line when the next minute's first refusal arrives.
/// </summary>
internal sealed partial class UpstreamRefusals(ILogger<UpstreamRefusals> logger, TimeProvider? time = null)
{
    public const int PerMinute = 5;

    /// <summary>The <see cref="HttpContext.Items"/> key under which the chat routes leave the requested model.</summary>
    public const string ModelItem = "AbstractCore.Api.Logging.UpstreamModel";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(string Provider, int Status), Counter> _counters = new();

    /// <summary>Logs <paramref name="error"/> if an upstream refused the request (it carries the upstream status).</summary>
    public void Note(HttpContext context, GatewayException error)
    {
        if (error.Headers is null ||
            !error.Headers.TryGetValue(UpstreamFailure.StatusHeader, out var sent) ||
            !int.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ||
            status is not (400 or 401 or 403 or 404 or 429))
        {
            return;
        }

        var provider = error.Headers.GetValueOrDefault(UpstreamFailure.ProviderHeader) ?? "unknown";
        var model = context.Items.TryGetValue(ModelItem, out var m) && m is not null ? m.ToString() ?? "-" : "-";
        Note(provider, model, status, error.Code);
    }

    internal void Note(string provider, string model, int status, string? code)
    {
        var now = _time.GetUtcNow();
        var counter = _counters.GetOrAdd((provider, status), _ => new Counter { Start = now });
        int suppressed = 0, count;
        lock (counter)
        {
            if (now - counter.Start >= Window)
            {
                suppressed = Math.Max(0, counter.Count - PerMinute);
                (counter.Start, counter.Count) = (now, 0);
            }

            count = ++counter.Count;
        }

        if (suppressed > 0)
        {
            LogSuppressed(logger, suppressed, provider, status);
        }

        if (count <= PerMinute)
        {
            LogRefusal(logger, provider, model, status, code ?? "none", Hint(status),
                count == PerMinute ? $" (further HTTP {status} from {provider} this minute are only counted)" : "");
        }
    }

    private static string Hint(int status) => status switch
    {
        401 or 403 => "check the provider's API key setting",
        404 => "check the model name (GET /v1/models lists what the provider offers)",
        429 => "the provider is rate limiting or out of quota",
        _ => "the provider rejected the request",
    };

    private sealed class Counter
    {
        public DateTimeOffset Start;
        public int Count;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Provider {Provider} refused a request for {Model}: HTTP {Status}, code {Code}; {Hint}{Limit}")]
    private static partial void LogRefusal(ILogger logger, string provider, string model, int status, string code, string hint, string limit);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "{Suppressed} more HTTP {Status} refusals from provider {Provider} in the previous minute were not logged one by one")]
    private static partial void LogSuppressed(ILogger logger, int suppressed, string provider, int status);
}
