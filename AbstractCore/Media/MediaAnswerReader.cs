using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Media;

/// <summary>
/// Reads an upstream media answer into <c>{"created","data":[{"b64_json",…}]}</c>: <c>b64_json</c> items are kept,
/// <c>url</c> items are downloaded through the SSRF-safe fetcher, and a raw binary answer (a video or audio file)
/// becomes one <c>b64_json</c> item.
/// </summary>
public sealed class MediaAnswerReader(IMediaFetcher fetcher)
{
    private const int MaxAnswerBytes = 256 * 1024 * 1024;

    public async Task<byte[]> ReadAsync(HttpResponseMessage response, string provider, CancellationToken cancellationToken)
    {
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "";
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length > MaxAnswerBytes)
        {
            throw Invalid(provider, "the answer is larger than 256 MB");
        }

        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return Serialize(Created(null), [Item(Convert.ToBase64String(bytes), contentType.Length > 0 ? contentType : null)]);
        }

        JsonObject answer;
        try
        {
            answer = JsonNode.Parse(bytes) as JsonObject ?? throw Invalid(provider, "the answer is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(provider, "the answer is not valid JSON: " + e.Message);
        }

        if (answer["data"] is not JsonArray data || data.Count == 0)
        {
            throw Invalid(provider, "the answer has no 'data' items");
        }

        var items = new List<JsonObject>(data.Count);
        foreach (var node in data)
        {
            items.Add(await ItemAsync(node as JsonObject ?? throw Invalid(provider, "a 'data' item is not an object"), provider, cancellationToken));
        }

        var usage = answer["usage"]?.DeepClone();
        return Serialize(Created(answer["created"]), items, usage);
    }

    private async Task<JsonObject> ItemAsync(JsonObject item, string provider, CancellationToken cancellationToken)
    {
        var result = new JsonObject();
        if (item["b64_json"] is JsonValue b64 && b64.TryGetValue<string>(out var base64) && base64.Length > 0)
        {
            result["b64_json"] = base64;
        }
        else if (item["url"] is JsonValue u && u.TryGetValue<string>(out var url) && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            var fetched = await fetcher.FetchAsync(uri, cancellationToken);
            result["b64_json"] = Convert.ToBase64String(fetched.Data);
        }
        else
        {
            throw Invalid(provider, "a 'data' item has neither 'b64_json' nor 'url'");
        }

        foreach (var name in (string[])["revised_prompt", "content_type", "mime_type"])
        {
            if (item[name] is { } value)
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }

    private static long Created(JsonNode? created) =>
        created is JsonValue v && v.TryGetValue<long>(out var seconds) ? seconds : DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static JsonObject Item(string base64, string? contentType)
    {
        var item = new JsonObject { ["b64_json"] = base64 };
        if (contentType is not null)
        {
            item["content_type"] = contentType;
        }

        return item;
    }

    private static byte[] Serialize(long created, List<JsonObject> items, JsonNode? usage = null)
    {
        var answer = new JsonObject { ["created"] = created, ["data"] = new JsonArray([.. items]) };
        if (usage is not null)
        {
            answer["usage"] = usage;
        }

        return JsonSerializer.SerializeToUtf8Bytes(answer, MediaJsonContext.Default.JsonObject);
    }

    private static GatewayException Invalid(string provider, string why) => new(502,
        $"Provider '{provider}' returned a media answer that could not be read: {why}.", "upstream_error",
        code: "upstream_invalid_response");
}
