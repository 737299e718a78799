using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Embeddings;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Scheduling;
using AbstractCore.Inference.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AbstractCore.Inference.Hosting;

/// <summary>Builds the service: Program.cs runs it, tests and the bench host it on a free port.</summary>
internal static class InferenceApp
{
    /// <param name="args">Command-line arguments (configuration).</param>
    /// <param name="configure">Runs before the service's own registrations, which give way to what it registers (e.g. a TimeProvider).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        configure?.Invoke(builder);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => InferenceSettings.From(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<EmbeddingModels>();
        builder.Services.AddSingleton<ModelResidency>();
        builder.Services.AddHostedService<IdleUnloader>();
        builder.Services.AddSingleton<Scheduler>();
        builder.Services.AddSingleton<StreamClock>();
        builder.Services.AddSingleton<InferenceTelemetry>();
        builder.Services.AddSingleton<PromptCacheContext>();
        builder.Services.AddSingleton<KvArtifactStore>();
        builder.Services.AddSingleton<BlocsContext>();
        builder.Services.AddHealthChecks().AddCheck<ModelsHealthCheck>("onnx-models");

        var app = builder.Build();
        app.Services.GetRequiredService<InferenceTelemetry>(); // its scheduler gauges exist from the start
        app.UseInferenceErrors();
        app.MapDefaultEndpoints();
        app.MapServiceHealth();
        app.MapModels();
        app.MapChatCompletions();
        app.MapEmbeddings();
        app.MapResidency();
        app.MapPromptCache();
        app.MapBlocs();

        var settings = app.Services.GetRequiredService<InferenceSettings>();
        InferenceLog.ModelsDirectory(app.Logger, settings.ModelsDir);
        DemoModel.EnsureIn(settings, app.Services.GetRequiredService<ModelCatalog>(), app.Logger);
        return app;
    }
}
