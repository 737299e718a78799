using System.Net;
using System.Text.Json.Nodes;
using AbstractCore.Inference.Tests.Infrastructure;
using AbstractCore.TinyModels;

namespace AbstractCore.Inference.Tests.Generation;

/// <summary>Where the chat template comes from: tokenizer_config.json, or chat_template.jinja beside it; none is a clear 400.</summary>
public sealed class ChatTemplateTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "acore-templates-" + Guid.NewGuid().ToString("N"));
    private InferenceHost _host = null!;

    public async Task InitializeAsync()
    {
        var template = TemplateOf(TinyModelWriter.Write(Path.Combine(_dir, "in-config")), remove: false);
        var jinja = TinyModelWriter.Write(Path.Combine(_dir, "jinja-file"));
        TemplateOf(jinja, remove: true);
        File.WriteAllText(Path.Combine(jinja, "chat_template.jinja"), template);
        TemplateOf(TinyModelWriter.Write(Path.Combine(_dir, "no-template")), remove: true);
        _host = await InferenceHost.StartAsync(new Dictionary<string, string?> { [InferenceSettings.ModelsDirVariable] = _dir });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Theory]
    [InlineData("in-config")]
    [InlineData("jinja-file")]
    public async Task The_template_is_read_from_the_tokenizer_config_or_the_jinja_file(string model)
    {
        var (response, body) = await Wire.PostAsync(_host.Http, "v1/chat/completions", Wire.Chat(model, ("user", "Hi")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TinyVocabulary.ChatAnswer, (string?)body!["choices"]![0]!["message"]!["content"]);
    }

    [Fact]
    public async Task A_model_without_a_template_is_a_400_saying_what_to_add()
    {
        var (response, body) = await Wire.PostAsync(_host.Http, "v1/chat/completions", Wire.Chat("no-template", ("user", "Hi")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body!["error"]!;
        Assert.Equal("chat_template_missing", (string?)error["code"]);
        Assert.Contains("'no-template' has no chat template", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("chat_template.jinja", (string?)error["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(_dir, (string?)error["message"], StringComparison.Ordinal); // no server paths in answers
    }

    /// <summary>The tokenizer config's template; removed from the file when asked.</summary>
    private static string TemplateOf(string modelDir, bool remove)
    {
        var path = Path.Combine(modelDir, "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var template = (string)config["chat_template"]!;
        if (remove)
        {
            config.Remove("chat_template");
            File.WriteAllText(path, config.ToJsonString());
        }

        return template;
    }
}
