namespace AbstractCore.AppHost.Tests;

/// <summary>Inference's tuning settings given to the AppHost reach Inference as written.</summary>
public sealed class InferenceVariablesTests
{
    [Theory]
    [InlineData("ABSTRACTCORE_ONNX_ALLOW_SPINNING", "false")]
    [InlineData("ABSTRACTCORE_ONNX_STREAM_INTERVAL_MS", "40")]
    [InlineData("ABSTRACTCORE_ONNX_INTRA_OP_THREADS", "1")]
    public async Task A_setting_given_to_the_apphost_reaches_inference(string variable, string value)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, [.. AppModel.NoChatProvider, $"--{variable}={value}"]);

        var inference = await AppModel.EnvironmentAsync(builder, "inference");

        Assert.Equal(value, inference[variable]);
    }
}
