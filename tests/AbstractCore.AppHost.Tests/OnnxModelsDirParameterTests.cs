using Aspire.Hosting.ApplicationModel;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The <c>onnx-models-dir</c> parameter and where its value comes from, read from the AppHost's model.
/// </summary>
public sealed class OnnxModelsDirParameterTests
{
    private static readonly string Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    [Fact]
    public async Task The_parameter_wins_over_the_environment_variable()
    {
        var chosen = Path.Combine(Path.GetTempPath(), "models-from-parameter");

        var value = await ModelsDirAsync("--Parameters:onnx-models-dir=" + chosen, "--ABSTRACTCORE_ONNX_MODELS_DIR=/elsewhere");

        Assert.Equal(chosen, value);
    }

    [Fact]
    public async Task The_environment_variable_is_used_when_no_parameter_is_given()
    {
        var chosen = Path.Combine(Path.GetTempPath(), "models-from-variable");

        Assert.Equal(chosen, await ModelsDirAsync("--ABSTRACTCORE_ONNX_MODELS_DIR=" + chosen));
    }

    [Fact]
    public async Task Without_either_the_folder_is_under_the_home_folder()
    {
        // Cleared explicitly: the machine running the tests may set the variable.
        Assert.Equal(Path.Combine(Home, ".abstractcore", "models"), await ModelsDirAsync("--ABSTRACTCORE_ONNX_MODELS_DIR="));
    }

    [Fact]
    public async Task A_tilde_is_the_home_folder()
    {
        Assert.Equal(Path.Combine(Home, "my-models"), await ModelsDirAsync("--Parameters:onnx-models-dir=~/my-models"));
    }

    /// <summary>The parameter's value, after checking that Inference receives it as ABSTRACTCORE_ONNX_MODELS_DIR.</summary>
    private static async Task<string?> ModelsDirAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var builder = await AppModel.CreateAsync(timeout.Token, args);

        var parameter = builder.Resources.OfType<ParameterResource>().Single(r => r.Name == "onnx-models-dir");
        Assert.False(parameter.Secret);

        var inference = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "inference");
        var context = new EnvironmentCallbackContext(builder.ExecutionContext);
        foreach (var callback in inference.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        Assert.Same(parameter, context.EnvironmentVariables["ABSTRACTCORE_ONNX_MODELS_DIR"]);
        return await parameter.GetValueAsync(timeout.Token);
    }
}
