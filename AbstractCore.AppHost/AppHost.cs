using AbstractCore.AppHost;
using AbstractCore.AppHost.Infrastructure;
using AbstractCore.AppHost.Progress;

var builder = DistributedApplication.CreateBuilder(args);

builder.AddResourceProgressLog();
var infra = builder.AddInfrastructure();

// A parameter rather than a plain variable: the dashboard shows it, and a deployment is asked for its own path.
var modelsDir = builder.AddParameter(ServiceSettings.OnnxModelsDirParameter, () => ServiceSettings.OnnxModelsDir(builder.Configuration))
    .WithDescription("Folder with one ONNX Runtime GenAI model per sub-folder; onnx/<sub-folder> selects one.");

var inference = builder.AddProject<Projects.AbstractCore_Inference>("inference")
    .WithEnvironment(ServiceSettings.OnnxModelsDirVariable, modelsDir)
    .WithOptionalEnvironment(builder, ServiceSettings.InferenceVariables)
    .WithDemoModelOnlyWithoutProvider(builder)
    .WithoutDevelopmentCertificate()
    .WithHttpHealthCheck("/health");

// The worker takes jobs from RabbitMQ; in embedded mode there is none, and the api runs the jobs itself.
if (!infra.IsEmbedded)
{
    builder.AddProject<Projects.AbstractCore_Jobs>("jobs")
        .WithInfrastructure(infra)
        .WithOptionalSecrets(builder, ServiceSettings.ApiSecretVariables) // the worker calls the same upstreams
        .WithOptionalEnvironment(builder, ServiceSettings.ApiVariables)
        .WithoutDevelopmentCertificate()
        .WithHttpHealthCheck("/health");
}

builder.AddProject<Projects.AbstractCore_Api>("api")
    // In-memory state is per process: embedded mode runs one replica.
    .WithReplicas(infra.IsEmbedded ? 1 : ServiceSettings.ApiReplicas(builder.Configuration))
    .WithInfrastructure(infra)
    .WithReference(inference).WaitFor(inference)
    // onnx/<model> goes to the Inference service through its OpenAI-compatible /v1 (service discovery gives the address).
    .WithEnvironment("ABSTRACTCORE_INFERENCE_URL", ReferenceExpression.Create($"{inference.GetEndpoint("http")}/v1"))
    .WithOptionalSecrets(builder, ServiceSettings.ApiSecretVariables)
    .WithOptionalEnvironment(builder, ServiceSettings.ApiVariables)
    .WithoutDevelopmentCertificate()
    .WithHttpHealthCheck("/health");

builder.Build().Run();
