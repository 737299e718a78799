namespace AbstractCore.Upstream;

/// <summary>
/// A non-success answer from an upstream that a native client (Anthropic, Ollama) read itself: its status,
/// its body (the error message is taken from it) and the headers worth keeping.
/// </summary>
public sealed class UpstreamHttpException(int status, string body, IReadOnlyDictionary<string, string>? headers = null)
    : Exception($"Upstream answered HTTP {status}")
{
    public int Status { get; } = status;
    public string Body { get; } = body;
    public IReadOnlyDictionary<string, string> Headers { get; } = headers ?? new Dictionary<string, string>();

    /// <summary>Reads a failed response (body capped at 64 KiB) into an exception.</summary>
    public static async Task<UpstreamHttpException> FromAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            headers[name] = string.Join(",", values);
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return new UpstreamHttpException((int)response.StatusCode, body.Length > 65536 ? body[..65536] : body, headers);
    }
}
