using System.ClientModel.Primitives;

namespace AbstractCore.Providers;

/// <summary>A pipeline policy that only rewrites the outgoing request, the same way on the sync and async paths.</summary>
internal abstract class RequestPolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message.Request);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    protected abstract void Apply(PipelineRequest request);
}
