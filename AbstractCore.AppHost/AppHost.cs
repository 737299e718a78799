using AbstractCore.AppHost;
using AbstractCore.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infra = builder.AddInfrastructure();

// A parameter rather than a plain variable: the dashboard shows it, and a deployment is asked for its own path.
var modelsDir = builder.AddParameter(ServiceSettings.OnnxModelsDirParameter, () => ServiceSettings.OnnxModelsDir(builder.Configuration))
    .WithDescription("Folder with one ONNX Runtime GenAI model per sub-folder; onnx/<sub-folder> selects one.");

var inference = builder.AddProject<Projects.AbstractCore_Inference>("inference")
    .WithEnvironment(ServiceSettings.OnnxModelsDirVariable, modelsDir)
    .WithOptionalEnvironment(builder, ServiceSettings.InferenceVariables)
    .WithHttpHealthCheck("/health");

var jobs = builder.AddProject<Projects.AbstractCore_Jobs>("jobs")
    .WithReference(infra.Cache).WaitFor(infra.Cache)
    .WithReference(infra.Messaging).WaitFor(infra.Messaging)
    .WithOptionalSecrets(builder, ServiceSettings.ApiSecretVariables) // the worker calls the same upstreams
    .WithOptionalEnvironment(builder, ServiceSettings.ApiVariables)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.AbstractCore_Api>("api")
    .WithReplicas(ServiceSettings.ApiReplicas(builder.Configuration))
    .WithReference(infra.Cache).WaitFor(infra.Cache)
    .WithReference(infra.Messaging).WaitFor(infra.Messaging)
    .WithReference(inference).WaitFor(inference)
    // onnx/<model> goes to the Inference service through its OpenAI-compatible /v1 (service discovery gives the address).
    .WithEnvironment("ABSTRACTCORE_INFERENCE_URL", ReferenceExpression.Create($"{inference.GetEndpoint("http")}/v1"))
    .WithOptionalSecrets(builder, ServiceSettings.ApiSecretVariables)
    .WithOptionalEnvironment(builder, ServiceSettings.ApiVariables)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
