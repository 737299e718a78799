using System.Text.Json.Nodes;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// The JSON beside a bloc KV artifact: which model files, tokenizer and chat template produced it, how many tokens it
/// holds, the shape of the KV state those tokens fill, and how the KV is stored (<see cref="KvFormat"/>).
/// </summary>
internal sealed record KvManifest(
    string KvFormat, string Model, string ModelFingerprint, string FilesHash, string TokenizerHash, string ChatTemplateHash,
    string Sha256, JsonNode? BlocId, int TokenCount, string TokensSha256, KvShape Shape, DateTimeOffset CreatedAt, long SizeBytes, string Engine)
{
    /// <summary>
    /// The artifact holds the token ids of the rendered bloc; loading rebuilds their KV by prefill. ONNX Runtime GenAI
    /// lets a Generator's KV be read (GetOutput copies it out) but offers no way to put KV tensors back into one.
    /// </summary>
    public const string TokenIds = "token_ids";

    /// <summary>How the bloc text is rendered: a system message through the model's chat template, without a generation prompt.</summary>
    public const string RenderedAs = "system_message";

    public const int Version = 1;

    public JsonObject ToJson() => new()
    {
        ["format_version"] = Version,
        ["kv_format"] = KvFormat,
        ["provider"] = Models.ModelCatalog.Provider,
        ["model"] = Model,
        ["model_fingerprint"] = ModelFingerprint,
        ["model_files_sha256"] = FilesHash,
        ["tokenizer_sha256"] = TokenizerHash,
        ["chat_template_sha256"] = ChatTemplateHash,
        ["sha256"] = Sha256,
        ["bloc_id"] = BlocId?.DeepClone(),
        ["rendered_as"] = RenderedAs,
        ["token_count"] = TokenCount,
        ["tokens_sha256"] = TokensSha256,
        ["shape"] = Shape.ToJson(),
        ["created_at"] = CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
        ["size_bytes"] = SizeBytes,
        ["engine"] = Engine,
    };

    /// <summary>Null when the JSON is not a manifest this version understands.</summary>
    public static KvManifest? From(JsonNode? node)
    {
        if (node is not JsonObject o || Long(o, "format_version") != Version)
        {
            return null;
        }

        var shape = o["shape"] as JsonObject ?? [];
        var fields = (KvFormat: Str(o, "kv_format"), Model: Str(o, "model"), Fingerprint: Str(o, "model_fingerprint"), Files: Str(o, "model_files_sha256"),
            Tokenizer: Str(o, "tokenizer_sha256"), Template: Str(o, "chat_template_sha256"), Sha: Str(o, "sha256"), Tokens: Long(o, "token_count"),
            TokensSha: Str(o, "tokens_sha256"), Created: Number(o, "created_at"), Size: Long(o, "size_bytes"));
        if (fields.KvFormat is null || fields.Model is null || fields.Fingerprint is null || fields.Files is null || fields.Tokenizer is null ||
            fields.Template is null || fields.Sha is null || fields.Tokens is not { } tokens || fields.TokensSha is null || fields.Created is not { } created ||
            fields.Size is not { } size)
        {
            return null;
        }

        return new KvManifest(
            fields.KvFormat, fields.Model, fields.Fingerprint, fields.Files, fields.Tokenizer, fields.Template, fields.Sha, o["bloc_id"]?.DeepClone(),
            (int)tokens, fields.TokensSha,
            new KvShape((int)(Long(shape, "layers") ?? 0), (int)(Long(shape, "kv_heads") ?? 0), (int)(Long(shape, "head_size") ?? 0),
                Str(shape, "dtype") ?? "unknown", Long(shape, "kv_bytes_per_token") ?? 0),
            DateTimeOffset.FromUnixTimeMilliseconds((long)(created * 1000)), size, Str(o, "engine") ?? "");
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Long(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<long>(out var l) ? l : null;

    private static double? Number(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}

/// <summary>The KV state the artifact's tokens fill: per layer a key and a value of [kv_heads, tokens, head_size] of dtype.</summary>
internal sealed record KvShape(int Layers, int KvHeads, int HeadSize, string Dtype, long KvBytesPerToken)
{
    public JsonObject ToJson() => new()
    {
        ["layers"] = Layers,
        ["kv_heads"] = KvHeads,
        ["head_size"] = HeadSize,
        ["dtype"] = Dtype,
        ["kv_bytes_per_token"] = KvBytesPerToken,
    };
}
