using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AbstractCore.Inference.Models;

/// <summary>Readiness (<c>/ready</c>): healthy with models to serve, degraded (still 200) when the models directory is unset, missing or empty.</summary>
internal sealed class ModelsHealthCheck(ModelCatalog catalog, Embeddings.EmbeddingModels embeddings, InferenceSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (settings.ModelsDir is null)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"{InferenceSettings.ModelsDirVariable} is not set: no local models are served."));
        }

        var count = catalog.List().Count + embeddings.List().Count;
        return Task.FromResult(count > 0
            ? HealthCheckResult.Healthy($"{count} model(s) in {settings.ModelsDir}.")
            : HealthCheckResult.Degraded($"No model folder (with genai_config.json, or a sentence-embedding model.onnx) in {settings.ModelsDir}."));
    }
}
