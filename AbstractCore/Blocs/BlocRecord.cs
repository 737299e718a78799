using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Blocs;

/// <summary>
/// One bloc: extracted text known by its <see cref="Sha256"/> (by default the text's own hash), with the integer
/// <see cref="BlocId"/> the store gave it and the metadata the client sent. The text itself is kept apart, once per
/// <see cref="ContentSha256"/>.
/// </summary>
public sealed record BlocRecord
{
    public required string Sha256 { get; init; }

    /// <summary>Assigned by the store on the first upsert of <see cref="Sha256"/>; 0 until then.</summary>
    public long BlocId { get; init; }

    public required string Path { get; init; }

    public string MediaType { get; init; } = "text";

    public long SizeBytes { get; init; }

    public long MtimeNs { get; init; }

    public string? Format { get; init; }

    public long? EstimatedTokens { get; init; }

    public string? RelpathBase { get; init; }

    public string? Summary { get; init; }

    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>The hash of the stored text, which addresses it in the store.</summary>
    public required string ContentSha256 { get; init; }

    /// <summary>The record as the routes answer it and the stores keep it (snake_case, as the original's).</summary>
    public JsonObject ToJson() => new()
    {
        ["sha256"] = Sha256,
        ["bloc_id"] = BlocId,
        ["path"] = Path,
        ["media_type"] = MediaType,
        ["size_bytes"] = SizeBytes,
        ["mtime_ns"] = MtimeNs,
        ["format"] = Format,
        ["estimated_tokens"] = EstimatedTokens,
        ["relpath_base"] = RelpathBase,
        ["summary"] = Summary,
        ["keywords"] = new JsonArray([.. Keywords.Select(k => (JsonNode?)JsonValue.Create(k))]),
        ["content_sha256"] = ContentSha256,
    };

    /// <summary>A record the store wrote (<see cref="ToJson"/>); null when it is not one.</summary>
    public static BlocRecord? FromJson(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o || Text(o, "sha256") is not { } sha || Text(o, "content_sha256") is not { } content)
            {
                return null;
            }

            return new BlocRecord
            {
                Sha256 = sha,
                BlocId = Number(o, "bloc_id") ?? 0,
                Path = Text(o, "path") ?? "",
                MediaType = Text(o, "media_type") ?? "text",
                SizeBytes = Number(o, "size_bytes") ?? 0,
                MtimeNs = Number(o, "mtime_ns") ?? 0,
                Format = Text(o, "format"),
                EstimatedTokens = Number(o, "estimated_tokens"),
                RelpathBase = Text(o, "relpath_base"),
                Summary = Text(o, "summary"),
                Keywords = o["keywords"] is JsonArray a ? [.. a.OfType<JsonValue>().Select(v => v.ToString())] : [],
                ContentSha256 = content,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Number(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
}
