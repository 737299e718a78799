using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace AbstractCore.Api.Logging;

/// <summary>
/// Takes secrets out of what is logged, with the original's rule: a header, query parameter or JSON field is
/// secret when its name is one of <c>api_key, apikey, api-key, access_token, auth_token, authorization, bearer,
/// cookie, id_token, key, password, refresh_token, secret, set-cookie, token, x-api-key</c> or contains
/// <c>api_key, api-key, apikey, authorization, password, secret</c> or <c>token</c> (any case); its value becomes
/// <c>[REDACTED]</c>. URLs lose their userinfo (<c>user:pass@</c>) and their secret query parameters.
/// </summary>
internal static partial class Redactor
{
    public const string Mask = "[REDACTED]";

    private static readonly HashSet<string> SecretNames = new(StringComparer.Ordinal)
    {
        "api_key", "apikey", "api-key", "access_token", "auth_token", "authorization", "bearer", "cookie", "id_token", "key",
        "password", "refresh_token", "secret", "set-cookie", "token", "x-api-key",
    };

    private static readonly string[] SecretFragments = ["api_key", "api-key", "apikey", "authorization", "password", "secret", "token"];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Strings longer than this (base64 attachments, long prompts) are cut in the log.</summary>
    public const int MaxLoggedString = 2048;

    public static bool IsSecretName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        return SecretNames.Contains(n) || SecretFragments.Any(f => n.Contains(f, StringComparison.Ordinal));
    }

    /// <summary>Headers as a JSON object, secret values masked.</summary>
    public static string Headers(IEnumerable<KeyValuePair<string, StringValues>> headers)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            foreach (var (name, values) in headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                w.WriteString(name, IsSecretName(name) ? Mask : Value(values.ToString()));
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A query string (with or without its <c>?</c>) with secret parameters masked (<c>api_key=%5BREDACTED%5D</c>)
    /// and URLs in values stripped of userinfo.</summary>
    public static string Query(string? query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return "";
        }

        var parts = query.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
            var rawName = eq < 0 ? parts[i] : parts[i][..eq];
            var name = Uri.UnescapeDataString(rawName.Replace('+', ' '));
            if (IsSecretName(name))
            {
                parts[i] = rawName + "=" + Uri.EscapeDataString(Mask);
            }
            else if (eq >= 0)
            {
                var value = Uri.UnescapeDataString(parts[i][(eq + 1)..].Replace('+', ' '));
                var clean = Value(value);
                if (!ReferenceEquals(clean, value))
                {
                    parts[i] = rawName + "=" + Uri.EscapeDataString(clean);
                }
            }
        }

        return "?" + string.Join('&', parts);
    }

    /// <summary>An absolute URL without userinfo and with secret query parameters masked; other text unchanged.</summary>
    public static string Url(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            return url;
        }

        if (uri.UserInfo.Length == 0 && uri.Query.Length == 0)
        {
            return url;
        }

        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        builder.Query = Query(uri.Query).TrimStart('?');
        return builder.Uri.AbsoluteUri;
    }

    /// <summary>A JSON document with secret fields masked, long strings cut and URLs cleaned; null when the bytes
    /// are not JSON (such a body is not logged at all, since it cannot be redacted).</summary>
    public static string? Json(ReadOnlySpan<byte> json)
    {
        using var document = Parse(json);
        if (document is null)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(json.Length + 64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(w, document.RootElement);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonDocument? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return JsonDocument.TryParseValue(ref reader, out var parsed) ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Write(Utf8JsonWriter w, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    w.WritePropertyName(property.Name);
                    if (IsSecretName(property.Name) && property.Value.ValueKind != JsonValueKind.Null)
                    {
                        w.WriteStringValue(Mask);
                    }
                    else
                    {
                        Write(w, property.Value);
                    }
                }

                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(w, item);
                }

                w.WriteEndArray();
                break;
            case JsonValueKind.String:
                w.WriteStringValue(Value(element.GetString()!));
                break;
            default:
                element.WriteTo(w);
                break;
        }
    }

    /// <summary>A logged value: virtual keys masked wherever they appear, URLs cleaned, long text cut. Returns the same
    /// instance when nothing changed.</summary>
    private static string Value(string value)
    {
        var clean = value.Contains(Keys.KeySecrets.Prefix, StringComparison.Ordinal) ? VirtualKey().Replace(value, Mask) : value;
        clean = clean.Contains("://", StringComparison.Ordinal) ? Url(clean) : clean;
        if (clean.Length > MaxLoggedString)
        {
            clean = string.Concat(clean.AsSpan(0, MaxLoggedString), $"…[{clean.Length - MaxLoggedString} more characters]");
        }

        return clean == value ? value : clean;
    }

    /// <summary>A virtual key's secret (<c>ack-</c> and its base64url), under any field name, in any text.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("ack-[A-Za-z0-9_-]{8,}")]
    private static partial System.Text.RegularExpressions.Regex VirtualKey();
}
