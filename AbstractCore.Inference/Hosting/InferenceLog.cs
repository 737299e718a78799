namespace AbstractCore.Inference.Hosting;

internal static partial class InferenceLog
{
    public static void ModelsDirectory(ILogger logger, string? modelsDir)
    {
        if (string.IsNullOrWhiteSpace(modelsDir))
        {
            ModelsDirectoryNotSet(logger, InferenceSettings.ModelsDirVariable);
        }
        else
        {
            ModelsDirectorySet(logger, modelsDir, Directory.Exists(modelsDir));
        }
    }

    [LoggerMessage(1, LogLevel.Information, "ONNX models directory: {ModelsDir} (exists: {Exists})")]
    private static partial void ModelsDirectorySet(ILogger logger, string modelsDir, bool exists);

    [LoggerMessage(2, LogLevel.Information, "{Variable} is not set: no local models are served")]
    private static partial void ModelsDirectoryNotSet(ILogger logger, string variable);

    [LoggerMessage(3, LogLevel.Information,
        "The models folder {ModelsDir} had no model: wrote the demo model {DemoDir}, which answers as onnx/demo with a fixed text. " +
        "Add real models as sub-folders of {ModelsDir} (each with a genai_config.json); {Variable}=false turns the demo off")]
    public static partial void DemoModelWritten(ILogger logger, string demoDir, string modelsDir, string variable);

    [LoggerMessage(4, LogLevel.Warning, "The models folder {ModelsDir} has no model and the demo model could not be written there ({Reason}): no demo is served")]
    public static partial void DemoModelNotWritten(ILogger logger, string modelsDir, string reason);
}
