using System.Text.Json;
using AbstractCore.Api.Keys;
using Microsoft.Net.Http.Headers;

namespace AbstractCore.Api.Caching;

/// <summary>
/// Whether a request asked for the exact response cache, and for how long: the body's <c>cache</c> field (an AbstractCore
/// extension, <c>{"ttl_s": N, "force": true}</c>), else <c>Cache-Control: max-age=N</c>, else the virtual key's
/// <c>cache.ttl_s</c>; a TTL of 0 turns it off. <c>Cache-Control: no-store</c> or <c>no-cache</c> bypasses it whatever the
/// rest says. <see cref="Force"/> caches answers the sampling rule would not (<see cref="CacheableRequest"/>).
/// </summary>
internal readonly record struct CacheDirective(TimeSpan Ttl, bool Force)
{
    /// <summary>Longer TTLs are cut to this.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(30);

    /// <summary>
    /// Null when the request does not opt in, or bypasses the cache. A request that names no cache anywhere pays a header
    /// read, a feature lookup and one vectorised search of its bytes for <c>"cache"</c>; only a body with that text is walked.
    /// </summary>
    public static CacheDirective? Read(HttpContext context, ReadOnlySpan<byte> body)
    {
        var control = context.Request.Headers.CacheControl;
        double? headerTtl = null;
        if (control.Count > 0 && !ReadHeader(control.ToString(), out headerTtl))
        {
            return null;
        }

        double? bodyTtl = null;
        var force = false;
        if (body.IndexOf("\"cache\""u8) >= 0)
        {
            (bodyTtl, force) = ReadField(body);
        }

        var seconds = bodyTtl ?? headerTtl ?? KeyContext.Of(context)?.Cache?.TtlSeconds;
        return seconds is > 0 ? new CacheDirective(TimeSpan.FromSeconds(Math.Min(seconds.Value, MaxTtl.TotalSeconds)), force) : null;
    }

    /// <summary>False when the header bypasses the cache; else its <c>max-age</c>, if any.</summary>
    private static bool ReadHeader(string value, out double? ttl)
    {
        ttl = null;
        if (!CacheControlHeaderValue.TryParse(value, out var parsed))
        {
            return true; // not a Cache-Control a client meant for us
        }

        ttl = parsed.MaxAge?.TotalSeconds;
        return !parsed.NoStore && !parsed.NoCache;
    }

    /// <summary>The top-level <c>cache</c> field; a body that is not a JSON object is the handler's to refuse.</summary>
    private static (double? Ttl, bool Force) ReadField(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = Requests.JsonBody.MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, false);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isCache = reader.ValueTextEquals("cache"u8);
                reader.Read();
                if (isCache)
                {
                    return Field(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed: the handler answers with the 400 that names the problem.
        }

        return (null, false);
    }

    private static (double? Ttl, bool Force) Field(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (null, false);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid("cache", """'cache' must be an object: {"ttl_s": seconds, "force": true|false}.""");
        }

        (double? ttl, var force) = (null, false);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ttl_s"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    ttl = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var seconds) && seconds >= 0 && double.IsFinite(seconds)
                        ? seconds
                        : throw Invalid("cache.ttl_s", "'cache.ttl_s' must be a number of seconds, 0 or more (0: do not cache).");
                }
            }
            else if (reader.ValueTextEquals("force"u8))
            {
                reader.Read();
                force = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False or JsonTokenType.Null => false,
                    _ => throw Invalid("cache.force", "'cache.force' must be true or false."),
                };
            }
            else
            {
                throw Invalid("cache." + reader.GetString(), $"'cache.{reader.GetString()}' is not a cache option (ttl_s, force).");
            }
        }

        return (ttl, force);
    }

    private static GatewayException Invalid(string param, string message) => GatewayException.BadRequest(message, param);
}
