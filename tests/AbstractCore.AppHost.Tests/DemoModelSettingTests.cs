namespace AbstractCore.AppHost.Tests;

/// <summary>
/// Inference's demo model (<c>ABSTRACTCORE_ONNX_DEMO_MODEL</c>, on by default in Inference) is for a first run with
/// nothing else to chat with: the AppHost turns it off when a chat provider is configured, unless the user said otherwise.
/// </summary>
public sealed class DemoModelSettingTests
{
    private const string Variable = "ABSTRACTCORE_ONNX_DEMO_MODEL";

    [Fact]
    public async Task Without_a_provider_inference_keeps_its_default()
    {
        var inference = await InferenceEnvironmentAsync();

        Assert.DoesNotContain(Variable, inference.Keys);
    }

    [Theory]
    [InlineData("--OPENAI_API_KEY=sk-test")]
    [InlineData("--Parameters:anthropic-api-key=sk-ant-test")]
    [InlineData("--OLLAMA_BASE_URL=http://127.0.0.1:11434")]
    public async Task With_a_provider_inference_is_told_not_to_write_it(string provider)
    {
        var inference = await InferenceEnvironmentAsync(provider);

        Assert.Equal("false", inference[Variable]);
    }

    [Fact]
    public async Task A_music_or_speech_key_alone_is_not_a_chat_provider()
    {
        var inference = await InferenceEnvironmentAsync("--ELEVENLABS_API_KEY=el-test");

        Assert.DoesNotContain(Variable, inference.Keys);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task The_users_own_value_wins(string value)
    {
        var inference = await InferenceEnvironmentAsync("--OPENAI_API_KEY=sk-test", $"--{Variable}={value}");

        Assert.Equal(value, inference[Variable]);
    }

    private static async Task<Dictionary<string, object>> InferenceEnvironmentAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, [.. AppModel.NoChatProvider, .. args]);
        return await AppModel.EnvironmentAsync(builder, "inference");
    }
}
