using AbstractCore.Inference.Hosting;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Models;

/// <summary>
/// A first answer with nothing configured: an empty models folder gets a tiny generated model, <c>demo</c>, so that
/// <c>onnx/demo</c> answers at once. Its text is fixed (see <see cref="TinyVocabulary"/>); it shows the path works, not a real model.
/// </summary>
internal static class DemoModel
{
    public const string Name = "demo";

    /// <summary>Where a demo is being written: a hidden sibling of <c>demo</c>, which the catalog never lists.</summary>
    private const string TempPrefix = ".demo-";

    /// <summary>Writes <c>demo</c> when the setting allows it and the folder is missing or has no model. Never throws.</summary>
    public static void EnsureIn(InferenceSettings settings, ModelCatalog catalog, ILogger logger)
    {
        // No folder configured: nowhere well-defined to write (the AppHost always names one), so nothing is served as before.
        if (!settings.DemoModel || settings.ModelsDir is not { } dir)
        {
            return;
        }

        var target = Path.Combine(dir, Name);
        var temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            // Listing an unreadable folder throws too: that is a warning like any other, not a crash.
            if (catalog.List().Count > 0)
            {
                return;
            }

            Directory.CreateDirectory(dir);
            TinyModelWriter.Write(temp, TinyModelSpec.Tiny);

            // The move is atomic: another process sees no demo or a whole one, never half of one.
            Directory.Move(temp, target);
            InferenceLog.DemoModelWritten(logger, target, dir, InferenceSettings.DemoModelVariable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Losing the race to another process starting at the same time leaves its demo, which is as good.
            if (ModelFolder.TryRead(target) is null)
            {
                InferenceLog.DemoModelNotWritten(logger, dir, e.Message);
            }
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover hidden folder is harmless: the catalog skips it.
        }
    }
}
