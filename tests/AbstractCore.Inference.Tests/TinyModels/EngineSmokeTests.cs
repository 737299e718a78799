using AbstractCore.TinyModels;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Tests.TinyModels;

public sealed class EngineSmokeTests
{
    [Fact]
    public void Generated_model_continues_text_greedily()
    {
        var dir = Path.Combine(Path.GetTempPath(), "acore-smoke-" + Guid.NewGuid().ToString("N"));
        TinyModelWriter.Write(dir);
        try
        {
            using var model = new Model(dir);
            using var tokenizer = new Tokenizer(model);
            using var seqs = tokenizer.Encode("hello wor");
            using var gp = new GeneratorParams(model);
            gp.SetSearchOption("max_length", 20);
            using var gen = new Generator(model, gp);
            gen.AppendTokens(seqs[0]);
            using var logits0 = gen.GetOutput("logits");
            var shape0 = string.Join(",", logits0.Shape());
            using var stream = tokenizer.CreateStream();
            var text = "";
            while (!gen.IsDone())
            {
                gen.GenerateNextToken();
                text += stream.Decode(gen.GetNextTokens()[0]);
            }

            Assert.Equal("stuvwxyzabc", text);
            var prompt = tokenizer.ApplyChatTemplate(null, """[{"role":"user","content":"Hi"}]""", null, true);
            Assert.Equal("<|user|>Hi<|end|><|assistant|>", prompt);
            Assert.Equal("1,9,262", shape0);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
