using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;
using AbstractCore.Inference.Residency;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// Compiles a bloc: its text as a system message through the model's chat template, tokenized, then prefilled in a
/// Generator of its own (the KV state is computed once here, and its real shape and dtype read back from the engine).
/// The artifact keeps the token ids (<see cref="KvManifest.TokenIds"/>): the engine cannot take KV tensors back.
/// Runs synchronously: call it off the request thread, under a scheduler slot.
/// </summary>
internal static class BlocCompiler
{
    private static readonly string Engine = "onnxruntime-genai " +
        (typeof(Generator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
         ?? typeof(Generator).Assembly.GetName().Version?.ToString() ?? "unknown");

    public static int[] Render(LoadedModel model, string text)
    {
        var messages = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = text }).ToJsonString();
        var tokens = model.Encode(ChatTemplate.Render(model, messages, toolsJson: null, addGenerationPrompt: false));
        if (tokens.Length == 0)
        {
            throw InferenceException.BadRequest("The bloc text renders to no tokens.", "text");
        }

        if (tokens.Length >= model.Folder.ContextLength)
        {
            throw InferenceException.BadRequest(
                $"The bloc is {tokens.Length} tokens; the model's context length is {model.Folder.ContextLength}.", "text", "context_length_exceeded");
        }

        return tokens;
    }

    /// <summary>
    /// Renders, tokenizes and prefills the bloc. The prefilled Generator is handed to the caller (sized for
    /// <paramref name="headroom"/> more tokens, as a prompt-cache key's), so a load that compiles keeps it instead of
    /// prefilling a second time; the caller disposes it otherwise.
    /// </summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "The Generator is owned by the returned Prefilled, or disposed on failure.")]
    public static Compiled Compile(ResidentModel resident, string text, string sha256, JsonNode? blocId, DateTimeOffset now, int headroom)
    {
        var model = resident.Model;
        var watch = Stopwatch.StartNew();
        var tokens = Render(model, text);
        var renderMs = watch.Elapsed.TotalMilliseconds;

        watch.Restart();
        // Sized as a prompt-cache key's buffer would be for these tokens (GeneratorReuse.Prefill), so the key can keep it.
        var capacity = GeneratorReuse.Capacity(model, tokens.Length, Math.Min(tokens.Length + headroom, model.Folder.ContextLength));
        var generator = TokenLoop.Create(model, SamplingOptions.Default, capacity);
        try
        {
            generator.AppendTokens(tokens);
            var prefillMs = watch.Elapsed.TotalMilliseconds;
            var shape = Shape(generator, model.Folder);

            var artifact = KvArtifactStore.Encode(tokens);
            var fingerprint = resident.Fingerprint;
            var manifest = new KvManifest(
                KvManifest.TokenIds, resident.Name, fingerprint.Id, fingerprint.Files, fingerprint.Tokenizer, fingerprint.ChatTemplate,
                sha256, blocId, tokens.Length, ModelFingerprint.Hash(artifact), shape, now, artifact.Length, Engine);
            return new Compiled(manifest, tokens, artifact, renderMs, prefillMs, new Prefilled(generator, capacity));
        }
        catch
        {
            generator.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The KV state's shape as the engine holds it: layer count from genai_config.json, heads, head size and dtype from
    /// the first layer's present key (GetOutput copies it out; with a shared buffer its length is max_length, not the tokens).
    /// </summary>
    private static KvShape Shape(Generator generator, ModelFolder folder)
    {
        var (layers, presentKey) = Decoder(folder);
        using var key = generator.GetOutput(string.Format(CultureInfo.InvariantCulture, presentKey.Replace("%d", "{0}", StringComparison.Ordinal), 0));
        var dims = key.Shape();
        var heads = dims.Length == 4 ? (int)dims[1] : 0;
        var headSize = dims.Length == 4 ? (int)dims[3] : 0;
        var dtype = key.Type().ToString();
        var elementBytes = dtype switch { "float16" or "bfloat16" => 2, "float64" => 8, "uint8" or "int8" => 1, _ => 4 };
        return new KvShape(layers, heads, headSize, dtype, 2L * layers * heads * headSize * elementBytes);
    }

    private static (int Layers, string PresentKey) Decoder(ModelFolder folder)
    {
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder.Path, ModelFolder.ConfigFile)));
        var decoder = config.RootElement.GetProperty("model").GetProperty("decoder");
        var layers = decoder.TryGetProperty("num_hidden_layers", out var l) && l.TryGetInt32(out var n) ? n : 0;
        var present = decoder.TryGetProperty("outputs", out var o) && o.TryGetProperty("present_key_names", out var p) && p.GetString() is { } name
            ? name : "present.%d.key";
        return (layers, present);
    }

    internal sealed record Compiled(KvManifest Manifest, int[] Tokens, byte[] Artifact, double RenderMs, double PrefillMs, Prefilled Prefilled);
}

/// <summary>A Generator holding a compiled bloc's KV state, owned by whoever holds this until it is attached to a key.</summary>
internal sealed class Prefilled(Generator generator, int maxLength) : IDisposable
{
    private Generator? _generator = generator;

    public int MaxLength { get; } = maxLength;

    /// <summary>Hands the Generator over (once); this object no longer disposes it.</summary>
    public Generator Take() => Interlocked.Exchange(ref _generator, null) ?? throw new InvalidOperationException("The prefilled Generator was already taken.");

    public void Dispose() => Interlocked.Exchange(ref _generator, null)?.Dispose();
}
