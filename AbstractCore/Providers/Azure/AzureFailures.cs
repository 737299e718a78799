using System.ClientModel;
using System.Text;
using System.Text.Json;
using AbstractCore.Upstream;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// What Azure answered when a call failed, lifted out of the connector's exceptions (its <c>HttpOperationException</c>
/// wraps the SDK's <see cref="ClientResultException"/>, and a stream throws the latter bare) into the
/// <see cref="UpstreamHttpException"/> every native provider throws, so <see cref="UpstreamFailure"/> maps it once for
/// all: Azure's 4xx with its message and code (<c>DeploymentNotFound</c>, …), 429 with <c>Retry-After</c>. A prompt refused
/// by Azure's content filter (400, code <c>content_filter</c>) keeps that status and code, its message naming what the
/// filter found (<c>violence: medium</c>), which Azure's own message leaves out.
/// </summary>
internal static class AzureFailures
{
    /// <summary>The exception to throw for <paramref name="exception"/>, or null to let it pass as it is.</summary>
    public static Exception? Translate(Exception exception)
    {
        if ((exception as ClientResultException ?? exception.InnerException as ClientResultException) is not { } failure)
        {
            return null;
        }

        if (failure.Status == 0 || failure.GetRawResponse() is not { } response)
        {
            return failure == exception ? null : failure; // never answered: UpstreamFailure says unreachable
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in response.Headers)
        {
            headers[name] = value;
        }

        var body = Body(response);
        return new UpstreamHttpException(failure.Status, failure.Status == 400 ? WithFilterResult(body) : body, headers);
    }

    private static string Body(System.ClientModel.Primitives.PipelineResponse response)
    {
        try
        {
            var text = response.Content.ToString();
            return text.Length > 65536 ? text[..65536] : text;
        }
        catch (InvalidOperationException)
        {
            return ""; // a streamed body that was not buffered
        }
    }

    /// <summary>
    /// Azure's content-filter refusal (<c>{"error":{"code":"content_filter","innererror":{"content_filter_result":{…}}}}</c>)
    /// rewritten as an OpenAI error whose message ends with the categories the filter flagged; any other body as it came.
    /// </summary>
    internal static string WithFilterResult(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object ||
                !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String || code.GetString() != "content_filter")
            {
                return body;
            }

            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            var findings = error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object &&
                           inner.TryGetProperty("content_filter_result", out var result) && result.ValueKind == JsonValueKind.Object
                ? Findings(result)
                : [];
            var text = (message ?? "The request was refused by Azure's content filter.") +
                       (findings.Count > 0 ? " Content filter result: " + string.Join(", ", findings) + "." : "");

            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject("error");
                w.WriteString("message", text);
                w.WriteString("type", "invalid_request_error");
                w.WriteString("param", error.TryGetProperty("param", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : "prompt");
                w.WriteString("code", "content_filter");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return body;
        }
    }

    /// <summary>Each flagged category: <c>violence: medium</c> for a severity, <c>jailbreak: detected</c> for a detection.</summary>
    private static List<string> Findings(JsonElement result)
    {
        var findings = new List<string>();
        foreach (var category in result.EnumerateObject())
        {
            if (category.Value.ValueKind == JsonValueKind.Object &&
                category.Value.TryGetProperty("filtered", out var filtered) && filtered.ValueKind == JsonValueKind.True)
            {
                findings.Add(category.Value.TryGetProperty("severity", out var severity) && severity.ValueKind == JsonValueKind.String
                    ? $"{category.Name}: {severity.GetString()}"
                    : $"{category.Name}: detected");
            }
        }

        return findings;
    }
}
