using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;

namespace AbstractCore.Upstream;

/// <summary>
/// Maps what went wrong upstream to the answer a client should get: the upstream's own 4xx (and its
/// message) passes through, 429 keeps <c>Retry-After</c>, 5xx and unreadable answers become 502,
/// an unreachable upstream 502, a deadline 504. Every answer names the provider (message prefix and
/// <see cref="ProviderHeader"/>), and one the upstream sent carries its status in <see cref="StatusHeader"/>, so an
/// upstream's 401 never reads as the server token being wrong.
/// </summary>
public static class UpstreamFailure
{
    /// <summary>The provider whose upstream failed or answered with an error.</summary>
    public const string ProviderHeader = "X-AbstractCore-Provider";

    /// <summary>The HTTP status the upstream answered (absent when it never answered).</summary>
    public const string StatusHeader = "X-AbstractCore-Upstream-Status";

    private static readonly HashSet<int> PassThrough = [400, 401, 403, 404, 409, 413, 415, 422, 429];

    public static GatewayException From(Exception exception, string provider) => exception switch
    {
        GatewayException g => g,
        _ when RefusalWithin(exception) is { } refused => refused,
        ClientResultException { Status: 0 } e => Unreachable(e.InnerException ?? e, provider),
        ClientResultException e => FromResponse(e.Status, ReadBody(e.GetRawResponse()), name => Header(e.GetRawResponse(), name), provider),
        UpstreamHttpException e => FromResponse(e.Status, e.Body, name => e.Headers.GetValueOrDefault(name), provider),
        HttpRequestException e => Unreachable(e, provider),
        IOException e => new GatewayException(502,
            $"The connection to provider '{provider}' failed mid-response: {e.Message}", "upstream_error", code: "upstream_disconnected"),
        _ => new GatewayException(502,
            $"Provider '{provider}' returned a response that could not be read: {exception.Message}", "upstream_error",
            code: "upstream_invalid_response"),
    };

    /// <summary>A refusal the gateway raised inside the HTTP stack (the base_url connect check), which arrives wrapped
    /// in the client's exceptions: it keeps its own answer (403), since nothing reached the upstream.</summary>
    public static GatewayException? RefusalWithin(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is GatewayException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <param name="setting">What sets the limit, named in the message (by default the server's deadline and <c>timeout_s</c>).</param>
    public static GatewayException Timeout(string provider, TimeSpan after, string? setting = null) => new(504,
        $"Provider '{provider}' did not answer within {after.TotalSeconds:0.#} s. Raise " +
        (setting ?? "ABSTRACTCORE_UPSTREAM_TIMEOUT_S or pass timeout_s") + " if the model needs longer.", "upstream_timeout", code: "upstream_timeout")
    {
        Headers = Named(provider, null),
    };

    private static GatewayException Unreachable(Exception e, string provider) => new(502,
        $"Could not reach provider '{provider}': {e.Message}", "upstream_error", code: "upstream_unreachable")
    {
        Headers = Named(provider, null),
    };

    private static Dictionary<string, string> Named(string provider, int? status)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [ProviderHeader] = provider };
        if (status is { } s)
        {
            headers[StatusHeader] = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return headers;
    }

    private static GatewayException FromResponse(int status, string body, Func<string, string?> header, string provider)
    {
        var (message, type, param, code) = ReadError(body);
        var headers = Named(provider, status);
        if (!PassThrough.Contains(status))
        {
            return new GatewayException(502, $"Provider '{provider}' failed (HTTP {status})" + (message is null ? "." : $": {message}"), "upstream_error",
                code: "upstream_error")
            {
                Headers = headers,
            };
        }

        message = message is null ? $"Provider '{provider}' answered HTTP {status}." : $"Provider '{provider}' answered HTTP {status}: {message}";
        foreach (var name in (string[])["Retry-After", "retry-after-ms", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"])
        {
            if (header(name) is { } value)
            {
                headers[name] = value;
            }
        }

        return new GatewayException(status, message, type ?? DefaultType(status), param, code)
        {
            Headers = headers,
        };
    }

    private static string DefaultType(int status) => status switch
    {
        401 or 403 => "authentication_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        _ => "invalid_request_error",
    };

    private static string ReadBody(PipelineResponse? response)
    {
        try
        {
            return response?.Content?.ToString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return ""; // a streamed body that was not buffered
        }
    }

    private static string? Header(PipelineResponse? response, string name) =>
        response?.Headers.TryGetValue(name, out var value) == true ? value : null;

    /// <summary>Reads <c>{"error":{…}}</c> (OpenAI, Anthropic), <c>{"error":"…"}</c> (Ollama), <c>{"message":"…"}</c> or plain text.</summary>
    private static (string? Message, string? Type, string? Param, string? Code) ReadError(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (error.GetString(), null, null, null);
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    return (Str(error, "message"), Str(error, "type"), Str(error, "param"), Str(error, "code"));
                }
            }

            if (root.ValueKind == JsonValueKind.Object)
            {
                return (Str(root, "message") ?? Str(root, "detail"), null, null, null);
            }
        }
        catch (JsonException)
        {
        }

        return (body.Length > 300 ? body[..300] : body, null, null, null);
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
