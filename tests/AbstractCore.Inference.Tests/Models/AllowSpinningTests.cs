using Microsoft.Extensions.Configuration;

namespace AbstractCore.Inference.Tests.Models;

/// <summary>ABSTRACTCORE_ONNX_ALLOW_SPINNING (a model loaded with it off still serves: ModelTypeTests).</summary>
public sealed class AllowSpinningTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("true", true)]
    public void Spinning_is_on_unless_the_setting_turns_it_off(string? value, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [InferenceSettings.AllowSpinningVariable] = value })
            .Build();

        Assert.Equal(expected, InferenceSettings.From(configuration).AllowSpinning);
    }
}
