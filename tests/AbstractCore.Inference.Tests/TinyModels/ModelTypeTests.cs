using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Models;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.TinyModels;

/// <summary>The decoder-only model types of real GenAI exports (Phi, Qwen, Mistral, Llama) load and run through the same path.</summary>
public sealed class ModelTypeTests
{
    [Theory]
    [InlineData("llama", null, true)]
    [InlineData("phi3", null, true)]
    [InlineData("qwen2", null, true)]
    [InlineData("mistral", 1, true)]
    [InlineData("llama", 2, false)] // ABSTRACTCORE_ONNX_ALLOW_SPINNING=false: ONNX Runtime takes the session config entries
    public void Each_decoder_only_type_serves_the_known_answer(string type, int? intraOpThreads, bool allowSpinning)
    {
        var dir = Path.Combine(Path.GetTempPath(), "acore-type-" + type + "-" + Guid.NewGuid().ToString("N"));
        TinyModelWriter.Write(dir, TinyModelSpec.Tiny with { ModelType = type, ContextLength = 256 });
        try
        {
            using var model = LoadedModel.Load(ModelFolder.TryRead(dir)!, [], intraOpThreads, allowSpinning);
            var prompt = model.Encode(model.Tokenizer.ApplyChatTemplate(null, """[{"role":"user","content":"Hi"}]""", null, true));
            var pieces = new List<string>();

            var result = TokenLoop.Run(model, null, new GenerationPlan(prompt, 100, [], SamplingOptions.Default, null), pieces.Add, CancellationToken.None);

            Assert.Equal(type, model.Model.GetModelType());
            Assert.Equal(TinyVocabulary.ChatAnswer, result.Text);
            Assert.Equal(TinyVocabulary.ChatAnswer.Length, pieces.Count);
            Assert.Equal(GenerationResult.Stop, result.FinishReason);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
