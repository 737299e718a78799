using System.Text.Json;

namespace AbstractCore.Inference.Models;

/// <summary>
/// One model in the ONNX Runtime GenAI format: a folder with genai_config.json (plus model.onnx and tokenizer files).
/// What is read here comes from genai_config.json only, so listing never loads a model.
/// </summary>
internal sealed record ModelFolder(string Name, string Path, int ContextLength, string ModelType, long KvBytesPerToken, DateTimeOffset Created)
{
    public const string ConfigFile = "genai_config.json";

    /// <summary>Reads a folder's genai_config.json; null when the folder holds none or it cannot be read.</summary>
    public static ModelFolder? TryRead(string path)
    {
        var configPath = System.IO.Path.Combine(path, ConfigFile);
        if (!File.Exists(configPath))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var model = document.RootElement.GetProperty("model");
            var context = Int(model, "context_length") ?? Int(document.RootElement.GetProperty("search"), "max_length") ?? 2048;
            var decoder = model.TryGetProperty("decoder", out var d) ? d : default;
            var layers = Int(decoder, "num_hidden_layers") ?? 1;
            var heads = Int(decoder, "num_attention_heads") ?? 1;
            var kvHeads = Int(decoder, "num_key_value_heads") ?? heads;
            var headSize = Int(decoder, "head_size") ?? ((Int(decoder, "hidden_size") ?? 64) / Math.Max(1, heads));

            // Keys and values for every layer; 4 bytes an element is the upper bound (fp32 KV cache).
            var kvBytesPerToken = 2L * layers * kvHeads * headSize * sizeof(float);
            var type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "unknown";
            return new ModelFolder(System.IO.Path.GetFileName(path), path, context, type, kvBytesPerToken,
                new DateTimeOffset(File.GetLastWriteTimeUtc(configPath), TimeSpan.Zero));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt32()
            : null;
}
