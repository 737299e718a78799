namespace AbstractCore.Messages;

/// <summary>
/// Anthropic's error types for the gateway's answers on the Messages routes: by status, with an upstream's 503 or 529
/// (which the chat routes answer as 502 naming the upstream status) as <c>overloaded_error</c> at 529, as Anthropic
/// answers, so Anthropic clients retry it the way they know.
/// </summary>
public static class MessagesErrors
{
    /// <param name="upstreamStatus">The upstream's status as the gateway's answer names it (<c>X-AbstractCore-Upstream-Status</c>), if any.</param>
    public static (int Status, string Type) Map(int status, string? upstreamStatus) =>
        Map(status, int.TryParse(upstreamStatus, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null);

    public static (int Status, string Type) Map(int status, int? upstreamStatus) => status switch
    {
        _ when upstreamStatus is 503 or 529 => (529, "overloaded_error"),
        400 or 409 or 415 or 422 => (status, "invalid_request_error"),
        401 => (401, "authentication_error"),
        402 => (402, "billing_error"),
        403 => (403, "permission_error"),
        404 or 405 => (status, "not_found_error"),
        413 => (413, "request_too_large"),
        429 => (429, "rate_limit_error"),
        529 => (529, "overloaded_error"),
        >= 500 => (status, "api_error"),
        _ => (status, "invalid_request_error"),
    };
}
