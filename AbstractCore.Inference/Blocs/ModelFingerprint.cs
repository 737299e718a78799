using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// What a KV artifact depends on: the model folder's files (names, sizes, modification times: weights are too large to
/// hash on every check), and by content the tokenizer files and the chat template, which decide the token ids.
/// </summary>
internal sealed record ModelFingerprint(string Files, string Tokenizer, string ChatTemplate)
{
    /// <summary>One id for all three: an artifact built under another id is stale.</summary>
    public string Id => Hash($"{Files}|{Tokenizer}|{ChatTemplate}");

    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "merges.txt"];

    public static ModelFingerprint Of(string folder)
    {
        var files = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                     .Select(f => new FileInfo(f))
                     .Where(f => !f.Name.StartsWith('.'))
                     .OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            files.Append(CultureInfo.InvariantCulture, $"{Path.GetRelativePath(folder, file.FullName)}|{file.Length}|{file.LastWriteTimeUtc.Ticks}\n");
        }

        var tokenizer = new StringBuilder();
        foreach (var name in TokenizerFiles)
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                tokenizer.Append(CultureInfo.InvariantCulture, $"{name}|{Hash(File.ReadAllBytes(path))}\n");
            }
        }

        return new ModelFingerprint(Hash(files.ToString()), Hash(tokenizer.ToString()), Hash(TemplateSource(folder)));
    }

    /// <summary>The chat template as ONNX Runtime GenAI reads it: chat_template.jinja, else tokenizer_config.json's chat_template.</summary>
    private static string TemplateSource(string folder)
    {
        var jinja = Path.Combine(folder, "chat_template.jinja");
        if (File.Exists(jinja))
        {
            return File.ReadAllText(jinja);
        }

        var config = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(config))
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(config));
            return document.RootElement.TryGetProperty("chat_template", out var t) ? t.ToString() : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    public static string Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));

    public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
