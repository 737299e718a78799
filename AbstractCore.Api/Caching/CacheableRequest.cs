using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AbstractCore.Api.Caching;

/// <summary>
/// A request the exact cache answers, keyed by the SHA-256 of its canonical form (<see cref="CanonicalJson"/>): the route,
/// the model as routed, the caller's own provider key (hashed) and every body field that can change the answer, so
/// member order and number spelling do not split entries while a different message, tool, sampling field or
/// <c>stream</c> does. Fields that only name the caller or tune delivery are left out (<see cref="NotInKey"/>).
/// </summary>
internal sealed record CacheableRequest(string Key, string Model, bool Stream, CacheDirective Directive)
{
    private const string KeyPrefix = "response-cache:v1:";

    /// <summary>Who asks and how the gateway handles the call, not what the model is asked.</summary>
    private static readonly HashSet<string> NotInKey = new(StringComparer.Ordinal)
    {
        "model", "cache", "user", "safety_identifier", "metadata", "timeout_s", "unload_after", "prompt_cache_key", "prompt_cache_retention",
    };

    /// <summary>
    /// A chat completion, or null when the cache does not apply: the body has no model, or it samples without a seed
    /// (a temperature above 0, and an absent one counts as the providers' default 1.0) and <see cref="CacheDirective.Force"/>
    /// is off. <paramref name="pathProvider"/> prefixes the model, as the route does.
    /// </summary>
    public static CacheableRequest? Chat(ReadOnlySpan<byte> body, CacheDirective directive, string? pathProvider, string? providerKey)
    {
        using var document = Parse(body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root ||
            !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } named)
        {
            return null;
        }

        if (!directive.Force && !Deterministic(root))
        {
            return null;
        }

        var routed = pathProvider is null ? named : pathProvider + "/" + named;
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        return new CacheableRequest(Hash("chat", routed, providerKey, root), routed, stream, directive);
    }

    /// <summary>An embeddings request (deterministic by nature), or null when the body names no model.</summary>
    public static CacheableRequest? Embeddings(ReadOnlySpan<byte> body, CacheDirective directive, string? providerKey)
    {
        using var document = Parse(body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root ||
            !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } named)
        {
            return null;
        }

        return new CacheableRequest(Hash("embeddings", named, providerKey, root), named, Stream: false, directive);
    }

    /// <summary>Greedy decoding, or sampling with a seed.</summary>
    private static bool Deterministic(JsonElement root)
    {
        var temperature = 1.0;
        if (root.TryGetProperty("temperature", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out temperature))
            {
                return false; // the handler refuses it
            }
        }

        return temperature <= 0 || (root.TryGetProperty("seed", out var seed) && seed.ValueKind != JsonValueKind.Null);
    }

    private static string Hash(string route, string model, string? providerKey, JsonElement root)
    {
        var canonical = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(canonical))
        {
            writer.WriteStartObject();
            writer.WriteString("route", route);
            writer.WriteString("model", model);
            if (providerKey is not null)
            {
                // An answer paid with one upstream key is not served to a caller who brings another.
                writer.WriteString("provider_key", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(providerKey))));
            }

            writer.WriteStartObject("body");
            foreach (var member in CanonicalJson.Sorted(root))
            {
                if (!NotInKey.Contains(member.Name))
                {
                    writer.WritePropertyName(member.Name);
                    CanonicalJson.Write(writer, member.Value);
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return KeyPrefix + Convert.ToHexStringLower(SHA256.HashData(canonical.WrittenSpan));
    }

    private static JsonDocument? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = Requests.JsonBody.MaxDepth });
        }
        catch (JsonException)
        {
            return null; // the handler answers with the 400
        }
    }
}
