using AbstractCore.Aliases;
using AbstractCore.Configuration;
using Microsoft.Extensions.Configuration;

namespace AbstractCore.Tests.Aliases;

/// <summary><c>model_aliases</c> as operators write it: defaults filled in, every mistake refused with what to fix.</summary>
public sealed class ModelAliasesTests
{
    [Fact]
    public void An_alias_reads_with_its_defaults()
    {
        var aliases = ModelAliases.Parse("""
            {"team/smart": {"deployments": [
              {"name": "a", "model": "openai/gpt-4o-mini", "api_key_env": "KEY_A", "weight": 3, "max_concurrency": 8},
              {"model": "openrouter/openai/gpt-4o-mini", "base_url": "https://openrouter.ai/api/v1", "weight": 0, "rpm": 60}]}}
            """);

        var alias = Assert.Single(aliases.All);
        Assert.Same(alias, aliases.Find(" TEAM/smart "));
        Assert.Null(aliases.Find("openai/gpt-4o-mini"));
        Assert.Equal((AliasStrategy.Weighted, AliasResume.None), (alias.Strategy, alias.Resume));
        Assert.Equal(ModelAlias.DefaultStreamIdleTimeout, alias.StreamIdleTimeout);
        Assert.Null(alias.FirstByteTimeout);
        Assert.Equal(2, alias.MaxAttempts);
        var (a, b) = (alias.Deployments[0], alias.Deployments[1]);
        Assert.Equal(("a", "openai", "gpt-4o-mini", "KEY_A", 3, 8), (a.Name, a.Model.Provider, a.Model.Model, a.ApiKeyEnv, a.Weight, a.MaxConcurrency));
        Assert.Equal(("openrouter/openai/gpt-4o-mini", "openai/gpt-4o-mini", 0, 60), (b.Name, b.Model.Model, b.Weight, b.Rpm));
    }

    [Fact]
    public void Every_field_is_read()
    {
        var alias = ModelAliases.Parse("""
            {"x": {"strategy": "latency", "resume": "prefill", "first_byte_timeout_s": 2.5, "stream_idle_timeout_s": 5,
                   "max_attempts": 4, "cooldown_s": 10, "failures_to_cool": 5,
                   "deployments": [{"model": "vllm/m", "context_window": 32768, "content_policy_fallback": true}]}}
            """).All.Single();

        Assert.Equal((AliasStrategy.Latency, AliasResume.Prefill, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(5), 4, TimeSpan.FromSeconds(10), 5),
            (alias.Strategy, alias.Resume, alias.FirstByteTimeout, alias.StreamIdleTimeout, alias.MaxAttempts, alias.Cooldown, alias.FailuresToCool));
        Assert.Equal((32768, true), (alias.Deployments[0].ContextWindow, alias.Deployments[0].ContentPolicyFallback));
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"x": {}}""", "needs a non-empty \"deployments\"")]
    [InlineData("""{"x": {"deployments": []}}""", "needs a non-empty \"deployments\"")]
    [InlineData("""{"x": {"deployments": [{"name": "a"}]}}""", "needs \"model\"")]
    [InlineData("""{"x": {"deployments": [{"model": "gpt-4o"}]}}""", "name it as provider/model")]
    [InlineData("""{"x": {"deployments": [{"model": "nope/m"}]}}""", "names provider 'nope'")]
    [InlineData("""{"x": {"deployments": [{"model": "openai/m", "api_key": "sk-secret"}]}}""", "api_key_env")]
    [InlineData("""{"x": {"deployments": [{"model": "openai/m", "base_url": "ftp://h"}]}}""", "not an absolute http(s) URL")]
    [InlineData("""{"x": {"deployments": [{"model": "openai/m", "weight": -1}]}}""", "weight -1")]
    [InlineData("""{"x": {"deployments": [{"name": "a", "model": "openai/m"}, {"name": "A", "model": "openai/n"}]}}""", "twice")]
    [InlineData("""{"x": {"strategy": "random", "deployments": [{"model": "openai/m"}]}}""", "strategy 'random'")]
    [InlineData("""{"x": {"resume": "retry", "deployments": [{"model": "openai/m"}]}}""", "resume 'retry'")]
    [InlineData("""{"x": {"stream_idle_timeout_s": 0, "deployments": [{"model": "openai/m"}]}}""", "stream_idle_timeout_s 0")]
    [InlineData("{", "not valid JSON")]
    public void A_mistake_is_refused_naming_the_setting_and_the_fix(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ModelAliases.Parse(json));

        Assert.Contains(ModelAliases.Setting, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_takes_at_most_64_deployments()
    {
        static string Alias(int count) =>
            "{\"x\": {\"deployments\": [" + string.Join(",", Enumerable.Range(0, count).Select(i => "{\"name\": \"d" + i + "\", \"model\": \"openai/m\"}")) + "]}}";

        Assert.Equal(64, ModelAliases.Parse(Alias(64)).All.Single().Deployments.Count);
        var e = Assert.Throws<FormatException>(() => ModelAliases.Parse(Alias(65)));
        Assert.Contains("has 65 deployments; an alias takes at most 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_file_section_becomes_the_setting()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var path = Path.Combine(dir.FullName, ConfigFile.FileName);
            File.WriteAllText(path, """{"model_aliases": {"team/fast": {"deployments": [{"name": "a", "model": "vllm/m"}]}}}""");
            var configuration = new ConfigurationBuilder().Add(new ConfigFileSource { Path = path }).Build();

            var alias = Assert.Single(ModelAliases.From(configuration).All);

            Assert.Equal(("team/fast", "a"), (alias.Name, alias.Deployments[0].Name));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void No_setting_is_no_alias() =>
        Assert.True(ModelAliases.From(new ConfigurationBuilder().Build()).IsEmpty);
}
