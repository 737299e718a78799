using AbstractCore.Routing;

namespace AbstractCore.Tests.Routing;

public sealed class ModelRefTests
{
    [Theory]
    [InlineData("openai/gpt-4o", "openai", "gpt-4o")]
    [InlineData("lmstudio/qwen/qwen3-4b", "lmstudio", "qwen/qwen3-4b")]
    [InlineData("openrouter/openai/gpt-4o", "openrouter", "openai/gpt-4o")]
    [InlineData(" OpenAI / gpt-4o ", "openai", "gpt-4o")]
    [InlineData("gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("text-embedding-3-small", "openai", "text-embedding-3-small")]
    [InlineData("claude-3-5-haiku", "anthropic", "claude-3-5-haiku")]
    [InlineData("llama3.1:8b", "ollama", "llama3.1:8b")]
    [InlineData("qwen-4bit", "ollama", "qwen-4bit")]
    [InlineData("something-4bit", "mlx", "something-4bit")]
    [InlineData("my-custom-model", "ollama", "my-custom-model")]
    public void Splits_at_the_first_slash_or_detects_bare_names(string model, string provider, string name)
    {
        var parsed = ModelRef.Parse(model);
        Assert.Equal(provider, parsed.Provider);
        Assert.Equal(name, parsed.Model);
        Assert.Equal($"{provider}/{name}", parsed.ToString());
    }
}
