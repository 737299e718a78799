using AbstractCore.Inference.Models;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Scheduling;

namespace AbstractCore.Inference.Blocs;

/// <summary>The services the bloc KV routes use.</summary>
internal sealed record BlocsContext(
    ModelCatalog Catalog, ModelResidency Residency, Scheduler Scheduler, InferenceSettings Settings, KvArtifactStore Store, TimeProvider Time);
