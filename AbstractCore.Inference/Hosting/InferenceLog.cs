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
}
