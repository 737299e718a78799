using AbstractCore.Inference.Models;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Models;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "acore-catalog-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Only_folders_with_a_genai_config_are_models_named_after_the_folder()
    {
        TinyModelWriter.Write(Path.Combine(_dir, "b-model"), TinyModelSpec.Tiny with { ContextLength = 512 });
        Directory.CreateDirectory(Path.Combine(_dir, "not-a-model"));
        File.WriteAllText(Path.Combine(_dir, "not-a-model", "readme.txt"), "x");
        Directory.CreateDirectory(Path.Combine(_dir, "broken"));
        File.WriteAllText(Path.Combine(_dir, "broken", "genai_config.json"), "{ not json");

        var catalog = new ModelCatalog(new InferenceSettings { ModelsDir = _dir });

        var model = Assert.Single(catalog.List());
        Assert.Equal("b-model", model.Name);
        Assert.Equal(512, model.ContextLength);
        Assert.Equal("llama", model.ModelType);
        Assert.Equal(2L * 2 * 2 * 16 * 4, model.KvBytesPerToken);
        Assert.Equal("b-model", catalog.Find("onnx/b-model")!.Name);
        Assert.Null(catalog.Find("not-a-model"));
        Assert.Null(catalog.Find("../b-model"));
    }

    [Fact]
    public void No_models_directory_means_no_models()
    {
        Assert.Empty(new ModelCatalog(new InferenceSettings()).List());
        Assert.Empty(new ModelCatalog(new InferenceSettings { ModelsDir = _dir }).List());
        Directory.CreateDirectory(_dir);
    }
}
