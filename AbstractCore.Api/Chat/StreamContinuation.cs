using AbstractCore.Chat.AgentFormats;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Chat;

/// <summary>
/// Another deployment's stream that continues a broken one (<see cref="ChatCalls.ResumeAsync"/>), started and standing on
/// its first update, under a deadline of its own: the first byte within <see cref="ChatPlan.FirstByteTimeout"/>, then
/// silences of at most <see cref="ChatPlan.IdleTimeout"/>.
/// </summary>
internal sealed class StreamContinuation : IAsyncDisposable
{
    private readonly CancellationTokenSource _deadline;

    private StreamContinuation(ChatPlan plan, IAsyncEnumerator<ChatResponseUpdate> updates, CancellationTokenSource deadline) =>
        (Plan, Updates, _deadline) = (plan, updates, deadline);

    public ChatPlan Plan { get; }

    public IAsyncEnumerator<ChatResponseUpdate> Updates { get; }

    public static async Task<StreamContinuation> StartAsync(ChatPlan plan, IList<ChatMessage> messages, CancellationToken aborted)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(plan.FirstByteTimeout);
        var updates = Open(plan, messages, deadline).GetAsyncEnumerator(deadline.Token);
        try
        {
            return await updates.MoveNextAsync()
                ? new StreamContinuation(plan, updates, deadline)
                : throw new GatewayException(502, $"Provider '{plan.Model.Provider}' returned an empty stream.", "upstream_error",
                    code: "upstream_invalid_response");
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            await updates.DisposeAsync();
            deadline.Dispose();
            throw e is OperationCanceledException
                ? plan.TimeoutFailure(started: false)
                : KeyScrubbing.Scrub(UpstreamFailure.From(e, plan.Model.Provider), plan.Endpoint.ApiKey);
        }
    }

    /// <summary>A translated chat stream as the client's lane reads it: under <paramref name="deadline"/>, pushed back by each
    /// upstream update (<see cref="IdleDeadline"/>), tool calls in the plan's agent format.</summary>
    public static IAsyncEnumerable<ChatResponseUpdate> Open(ChatPlan plan, IList<ChatMessage> messages, CancellationTokenSource deadline) =>
        AgentFormatting.Apply(
            new IdleDeadline(deadline, plan.IdleTimeout).Watch(plan.Client.GetStreamingResponseAsync(messages, plan.Options, deadline.Token), deadline.Token),
            plan.Format, plan.ToolsOffered);

    public async ValueTask DisposeAsync()
    {
        await Updates.DisposeAsync();
        _deadline.Dispose();
    }
}
