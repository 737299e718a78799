using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using CheckStatus = Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus;

namespace AbstractCore.Api.Health;

/// <summary>The health checks' report as <c>/health</c> shows it to the operator.</summary>
internal sealed partial record HealthDetails(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("duration_ms")] double DurationMs,
    [property: JsonPropertyName("checks")] IReadOnlyList<HealthCheckDetail> Checks)
{
    private const int MaxDescription = 300;

    public static HealthDetails From(HealthReport report) => new(
        Name(report.Status),
        Math.Round(report.TotalDuration.TotalMilliseconds, 2),
        [.. report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new HealthCheckDetail(
            e.Key, Name(e.Value.Status), Math.Round(e.Value.Duration.TotalMilliseconds, 2),
            Describe(e.Value.Description ?? e.Value.Exception?.GetBaseException().Message)))]);

    public static string Name(CheckStatus status) => status switch
    {
        CheckStatus.Healthy => "healthy",
        CheckStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    /// <summary>Without credentials a check might have let through: URL user info, <c>password=…</c>-style pairs,
    /// bearer tokens; and cut to a readable length.</summary>
    public static string? Describe(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = UserInfo().Replace(text, "://***@");
        text = SecretPair().Replace(text, m => m.Groups[1].Value + "=***");
        text = Bearer().Replace(text, "Bearer ***");
        return text.Length <= MaxDescription ? text : text[..MaxDescription] + "…";
    }

    [GeneratedRegex(@"://[^/\s@]+@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"\b(password|pwd|passwd|secret|token|api[_-]?key|key)\s*=\s*[^;,\s&]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPair();

    [GeneratedRegex(@"Bearer\s+\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();
}

internal sealed record HealthCheckDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("duration_ms")] double DurationMs,
    [property: JsonPropertyName("description")] string? Description);
