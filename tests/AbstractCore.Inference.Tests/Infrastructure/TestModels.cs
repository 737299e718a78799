using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>
/// Tiny models generated once per test run into a temp folder: <c>tiny</c> (context 2048), <c>tiny-long</c>
/// (context 65536, for requests that must run long enough to be cancelled or queued behind) and <c>tiny-tools</c>
/// (the scripted tool-calling model, <see cref="ScriptedModelWriter"/>, context 262144).
/// </summary>
public static class TestModels
{
    public const string Tiny = "tiny";
    public const string Long = "tiny-long";
    public const string Scripted = "tiny-tools";

    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), "acore-onnx-tests-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        TinyModelWriter.Write(Path.Combine(root, Tiny));
        TinyModelWriter.Write(Path.Combine(root, Long), TinyModelSpec.Tiny with { ContextLength = 65536 });
        ScriptedModelWriter.Write(Path.Combine(root, Scripted));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(root, true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });

    /// <summary>The models directory (ABSTRACTCORE_ONNX_MODELS_DIR) holding every test model.</summary>
    public static string Directory => Root.Value;
}
