using System.Net;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AbstractCore.Inference.Tests.Models;

/// <summary>A first answer with nothing configured: an empty models folder gets the generated <c>demo</c> model.</summary>
public sealed class DemoModelTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "acore-demo-" + Guid.NewGuid().ToString("N"));
    private readonly CapturedLog _log = new();

    private string Models => Path.Combine(_root, "models");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, true);
        }
    }

    [Fact]
    public async Task An_empty_models_folder_gets_a_demo_that_answers_a_chat()
    {
        Directory.CreateDirectory(Models);

        await using var host = await StartAsync();

        var (_, models) = await Wire.GetAsync(host.Http, "v1/models");
        Assert.Equal(["demo"], models!["data"]!.AsArray().Select(m => (string?)m!["id"]));
        var (response, body) = await Wire.PostAsync(host.Http, "v1/chat/completions", Wire.Chat("demo", ("user", "Hi")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var content = (string?)body!["choices"]![0]!["message"]!["content"];
        Assert.False(string.IsNullOrEmpty(content));
        Assert.Equal(TinyVocabulary.ChatAnswer, content);

        // One line says what happened, where, how to add real models and how to turn the demo off.
        var line = Assert.Single(_log.Entries, e => e.Line.Contains("demo model", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains(Path.Combine(Models, "demo"), line.Line, StringComparison.Ordinal);
        Assert.Contains("Add real models as sub-folders of " + Models, line.Line, StringComparison.Ordinal);
        Assert.Contains("ABSTRACTCORE_ONNX_DEMO_MODEL=false", line.Line, StringComparison.Ordinal);

        // Written whole and moved into place: nothing else is left in the folder.
        Assert.Equal(["demo"], Directory.GetFileSystemEntries(Models).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_missing_models_folder_is_created_with_the_demo()
    {
        await using var host = await StartAsync();

        Assert.NotNull(ModelFolder.TryRead(Path.Combine(Models, "demo")));
        Assert.Equal("demo", Assert.Single(host.Service<ModelCatalog>().List()).Name);
    }

    [Fact]
    public async Task A_folder_with_a_model_gets_no_demo()
    {
        TinyModelWriter.Write(Path.Combine(Models, "mine"));

        await using var host = await StartAsync();

        Assert.False(Directory.Exists(Path.Combine(Models, "demo")));
        Assert.Equal("mine", Assert.Single(host.Service<ModelCatalog>().List()).Name);
        Assert.DoesNotContain(_log.Entries, e => e.Line.Contains("demo model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_setting_turns_the_demo_off()
    {
        Directory.CreateDirectory(Models);

        await using var host = await StartAsync(new() { [InferenceSettings.DemoModelVariable] = "false" });

        Assert.Empty(Directory.GetFileSystemEntries(Models));
        var (_, models) = await Wire.GetAsync(host.Http, "v1/models");
        Assert.Empty(models!["data"]!.AsArray());
        Assert.DoesNotContain(_log.Entries, e => e.Line.Contains("demo model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unwritable_models_folder_is_a_warning_and_the_service_still_starts()
    {
        // A file where a parent folder should be: nothing can be created below it, whoever runs the tests (root included).
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "not-a-folder"), "x");
        var models = Path.Combine(_root, "not-a-folder", "models");

        await using var host = await StartAsync(new() { [InferenceSettings.ModelsDirVariable] = models });

        var warning = Assert.Single(_log.Entries, e => e.Line.Contains("demo model", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(models, warning.Line, StringComparison.Ordinal);
        Assert.Contains("demo model could not be written", warning.Line, StringComparison.Ordinal);
        var (response, list) = await Wire.GetAsync(host.Http, "v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(list!["data"]!.AsArray());
    }

    [Fact]
    public async Task Two_processes_starting_at_once_leave_one_whole_demo()
    {
        var settings = new InferenceSettings { ModelsDir = Models };
        var catalog = new ModelCatalog(settings);
        var logger = NullLogger.Instance;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DemoModel.EnsureIn(settings, catalog, logger))));

        Assert.Equal("demo", Assert.Single(catalog.List()).Name);
        Assert.Equal(["demo"], Directory.GetFileSystemEntries(Models).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_half_written_demo_left_by_a_crash_is_not_a_model()
    {
        TinyModelWriter.Write(Path.Combine(Models, ".demo-left-by-a-crash"));

        await using var host = await StartAsync();

        Assert.Equal("demo", Assert.Single(host.Service<ModelCatalog>().List()).Name);
        var (response, _) = await Wire.PostAsync(host.Http, "v1/chat/completions", Wire.Chat(".demo-left-by-a-crash", ("user", "Hi")));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Task<InferenceHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings.TryAdd(InferenceSettings.ModelsDirVariable, Models);
        return InferenceHost.StartAsync(settings, log: _log);
    }
}
