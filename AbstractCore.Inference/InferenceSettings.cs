namespace AbstractCore.Inference;

internal static class InferenceSettings
{
    /// <summary>Folder holding one ONNX Runtime GenAI model per sub-folder; <c>onnx/&lt;folder&gt;</c> selects one.</summary>
    public const string ModelsDirVariable = "ABSTRACTCORE_ONNX_MODELS_DIR";
}
