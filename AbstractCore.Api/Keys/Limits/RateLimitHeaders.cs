using System.Globalization;

namespace AbstractCore.Api.Keys.Limits;

/// <summary>OpenAI's rate-limit headers, with resets in its duration form (<c>1s</c>, <c>6m0s</c>, <c>120ms</c>).</summary>
internal static class RateLimitHeaders
{
    public const string LimitRequests = "x-ratelimit-limit-requests";
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string LimitTokens = "x-ratelimit-limit-tokens";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetTokens = "x-ratelimit-reset-tokens";

    /// <summary>The request and token headers of the limits the key has.</summary>
    public static void Write(IHeaderDictionary headers, in Admission a)
    {
        if (a.RequestLimit is { } requests)
        {
            headers[LimitRequests] = requests.ToString(CultureInfo.InvariantCulture);
            headers[RemainingRequests] = a.RemainingRequests.ToString(CultureInfo.InvariantCulture);
            headers[ResetRequests] = Duration(a.RequestsReset);
        }

        if (a.TokenLimit is { } tokens)
        {
            headers[LimitTokens] = tokens.ToString(CultureInfo.InvariantCulture);
            headers[RemainingTokens] = a.RemainingTokens.ToString(CultureInfo.InvariantCulture);
            headers[ResetTokens] = Duration(a.TokensReset);
        }
    }

    /// <summary>
    /// Go's duration form, which OpenAI's headers use, to the millisecond, rounded up (a client waiting that long finds
    /// the limit free): under a second in <c>ms</c>, else hours, minutes and seconds with a trimmed fraction.
    /// </summary>
    public static string Duration(TimeSpan span)
    {
        var ms = (long)Math.Ceiling(span.TotalMilliseconds);
        if (ms <= 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{ms}ms");
        }

        // Formatted into one buffer with no format strings: this runs twice on every admitted request of a limited key.
        Span<char> text = stackalloc char[40];
        var (hours, minutes, whole, fraction) = (ms / 3_600_000, ms / 60_000 % 60, ms % 60_000 / 1000, (int)(ms % 1000));
        var n = 0;
        if (hours > 0)
        {
            n += Digits(hours, text) + 1;
            text[n - 1] = 'h';
        }

        if (hours > 0 || minutes > 0)
        {
            n += Digits(minutes, text[n..]) + 1;
            text[n - 1] = 'm';
        }

        n += Digits(whole, text[n..]);
        if (fraction > 0)
        {
            text[n++] = '.';
            for (var unit = 100; fraction > 0; unit /= 10)
            {
                text[n++] = (char)('0' + fraction / unit);
                fraction %= unit;
            }
        }

        text[n++] = 's';
        return new string(text[..n]);
    }

    private static int Digits(long value, Span<char> into)
    {
        value.TryFormat(into, out var written, provider: CultureInfo.InvariantCulture);
        return written;
    }
}
