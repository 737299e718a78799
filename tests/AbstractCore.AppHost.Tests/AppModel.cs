using Aspire.Hosting.ApplicationModel;

namespace AbstractCore.AppHost.Tests;

/// <summary>
/// The AppHost's application model as its Program builds it, without starting anything: external mode, so no
/// server is started, no port is taken and no container engine is probed.
/// </summary>
internal static class AppModel
{
    /// <summary>Every setting that names a chat provider, cleared so the machine's environment cannot add one.</summary>
    public static readonly string[] NoChatProvider =
    [
        .. new[]
        {
            "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "PORTKEY_API_KEY", "OPENAI_COMPATIBLE_API_KEY", "VLLM_API_KEY",
            "AZURE_OPENAI_API_KEY",
        }.SelectMany(key => new[] { $"--{key}=", $"--Parameters:{key.ToLowerInvariant().Replace('_', '-')}=" }),
        .. new[]
        {
            "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OPENROUTER_BASE_URL", "OLLAMA_BASE_URL", "LMSTUDIO_BASE_URL", "VLLM_BASE_URL",
            "OPENAI_COMPATIBLE_BASE_URL", "AZURE_OPENAI_ENDPOINT", "ABSTRACTCORE_ONNX_DEMO_MODEL",
        }.Select(key => $"--{key}="),
    ];

    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(CancellationToken cancellationToken, params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.AbstractCore_AppHost>(
            ["--Infra:Mode=external", "--ConnectionStrings:cache=127.0.0.1:1", "--ConnectionStrings:messaging=amqp://guest:guest@127.0.0.1:1", .. args],
            (options, _) => options.DisableDashboard = true,
            cancellationToken);

    /// <summary>The environment a resource would be started with, as the model's callbacks write it (values unresolved).</summary>
    public static async Task<Dictionary<string, object>> EnvironmentAsync(IDistributedApplicationTestingBuilder builder, string resource)
    {
        var target = builder.Resources.Single(r => r.Name == resource);
        var context = new EnvironmentCallbackContext(builder.ExecutionContext, target, []);
        foreach (var callback in target.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables;
    }
}
