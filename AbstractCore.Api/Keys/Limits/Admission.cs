using System.Globalization;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>Which limit refused a request.</summary>
internal enum RateLimit : byte
{
    None,
    Requests,
    Tokens,
    Parallel,
}

/// <summary>
/// <see cref="KeyLimiter"/>'s decision for one request, with the figures OpenAI's <c>x-ratelimit-*</c> headers carry
/// (<see cref="WriteHeaders"/>) and, when refused, the 429 to answer (<see cref="ToError"/>). A limit the key does not
/// have is null and its headers are left out.
/// </summary>
internal readonly record struct Admission(
    bool Admitted,
    RateLimit Refused,
    string? KeyName,
    int? RequestLimit,
    long RemainingRequests,
    TimeSpan RequestsReset,
    long? TokenLimit,
    long RemainingTokens,
    TimeSpan TokensReset,
    int? ParallelLimit)
{
    public const string Code = "rate_limit_exceeded";

    /// <summary>A key without limits: admitted, no headers.</summary>
    public static Admission Unlimited => new(true, RateLimit.None, null, null, 0, default, null, 0, default, null);

    /// <summary>Whole seconds until the refused limit frees up, at least 1 (a parallel slot: unknown, so 1).</summary>
    public int RetryAfterSeconds => Refused switch
    {
        RateLimit.Requests => WholeSeconds(RequestsReset),
        RateLimit.Tokens => WholeSeconds(TokensReset),
        _ => 1,
    };

    public void WriteHeaders(HttpResponse response) => RateLimitHeaders.Write(response.Headers, this);

    /// <summary>
    /// The 429 for a refusal, in OpenAI's form: type <c>requests</c> or <c>tokens</c>, code
    /// <c>rate_limit_exceeded</c>, the limit and the key named. Only the key's name: never its secret, nor a part of it.
    /// </summary>
    public GatewayException ToError()
    {
        var retry = RetryAfterSeconds;
        var message = Refused switch
        {
            RateLimit.Requests => string.Create(CultureInfo.InvariantCulture,
                $"Rate limit reached for key '{KeyName}' on requests per minute: limit {RequestLimit}. Please try again in {retry}s."),
            RateLimit.Tokens => string.Create(CultureInfo.InvariantCulture,
                $"Rate limit reached for key '{KeyName}' on tokens per minute: limit {TokenLimit}, used {TokenLimit - RemainingTokens}. Please try again in {retry}s."),
            _ => string.Create(CultureInfo.InvariantCulture,
                $"Rate limit reached for key '{KeyName}' on parallel requests: limit {ParallelLimit} at once. Please try again when one of them ends."),
        };
        var headers = new HeaderDictionary { ["Retry-After"] = retry.ToString(CultureInfo.InvariantCulture) };
        RateLimitHeaders.Write(headers, this);
        return new GatewayException(429, message, Refused == RateLimit.Tokens ? "tokens" : "requests", code: Code)
        {
            Headers = headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
    }

    private static int WholeSeconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));
}
