namespace AbstractCore.Inference.Models;

/// <summary>
/// The models on disk: every sub-folder of the models directory that holds a genai_config.json. Hidden folders
/// (a leading dot) are not models: the demo model is written in one and then moved into place.
/// </summary>
internal sealed class ModelCatalog(InferenceSettings settings)
{
    public const string Provider = "onnx";

    /// <summary>Scanned on each call, so a model copied in while the service runs shows up without a restart.</summary>
    public IReadOnlyList<ModelFolder> List()
    {
        if (settings.ModelsDir is not { } dir || !Directory.Exists(dir))
        {
            return [];
        }

        return Directory.EnumerateDirectories(dir)
            .Where(path => !IsHidden(Path.GetFileName(path)))
            .Select(ModelFolder.TryRead)
            .OfType<ModelFolder>()
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The model a request names: <c>name</c> or <c>onnx/name</c>. Null when there is none.</summary>
    public ModelFolder? Find(string? requested)
    {
        var name = Normalize(requested);
        if (name is null || settings.ModelsDir is not { } dir || IsHidden(name) || name.Contains("..", StringComparison.Ordinal) ||
            name.IndexOfAny(['/', '\\']) >= 0)
        {
            return null;
        }

        return ModelFolder.TryRead(Path.Combine(dir, name));
    }

    private static bool IsHidden(string folderName) => folderName.StartsWith('.');

    public static string? Normalize(string? requested)
    {
        var name = requested?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        return name.StartsWith(Provider + "/", StringComparison.OrdinalIgnoreCase) ? name[(Provider.Length + 1)..] : name;
    }
}
