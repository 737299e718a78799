using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Models;

/// <summary>A model in native memory: the ONNX Runtime GenAI Model and its Tokenizer, both safe to share across threads.</summary>
internal sealed class LoadedModel : IDisposable
{
    private LoadedModel(ModelFolder folder, Model model, Tokenizer tokenizer)
    {
        Folder = folder;
        Model = model;
        Tokenizer = tokenizer;
        EosTokenIds = tokenizer.GetEosTokenIds().ToArray();
        TemplateRendersTools = Generation.ChatTemplate.MentionsTools(folder.Path);
    }

    public ModelFolder Folder { get; }

    public Model Model { get; }

    public Tokenizer Tokenizer { get; }

    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>Whether the chat template renders offered tools (read once, at load).</summary>
    public bool TemplateRendersTools { get; }

    /// <summary>
    /// Loads the folder with the configured execution providers (none: CPU) and, if set, ONNX Runtime's thread count;
    /// without <paramref name="allowSpinning"/> its threads sleep between steps instead of spinning.
    /// </summary>
    public static LoadedModel Load(ModelFolder folder, IReadOnlyList<string> providers, int? intraOpThreads = null, bool allowSpinning = true)
    {
        using var config = new Config(folder.Path);
        var sessionOptions = new JsonObject();
        if (intraOpThreads is { } threads)
        {
            sessionOptions["intra_op_num_threads"] = threads;
        }

        if (!allowSpinning)
        {
            // Unknown session_options names are passed to ONNX Runtime as session config entries.
            sessionOptions["session.intra_op.allow_spinning"] = "0";
            sessionOptions["session.inter_op.allow_spinning"] = "0";
        }

        if (sessionOptions.Count > 0)
        {
            config.Overlay(new JsonObject { ["model"] = new JsonObject { ["decoder"] = new JsonObject { ["session_options"] = sessionOptions } } }.ToJsonString());
        }

        config.ClearProviders();
        foreach (var provider in providers)
        {
            config.AppendProvider(provider);
        }

        var model = new Model(config);
        try
        {
            return new LoadedModel(folder, model, new Tokenizer(model));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public int[] Encode(string text)
    {
        using var sequences = Tokenizer.Encode(text);
        return sequences[0].ToArray();
    }

    public void Dispose()
    {
        Tokenizer.Dispose();
        Model.Dispose();
    }
}
