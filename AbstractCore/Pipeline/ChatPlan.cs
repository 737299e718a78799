using AbstractCore.Aliases;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Providers;
using AbstractCore.Routing;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Pipeline;

/// <summary>
/// One upstream chat call, checked and ready to run (<see cref="ChatPlanner"/>): the upstream and its key, what to send
/// (options, or for a relay the thinking fields to write into the body), the deadline and how tool calls are rendered.
/// </summary>
/// <param name="Warnings">What was degraded or ignored, for the client's <see cref="WarningHeader"/>.</param>
public sealed record ChatPlan(
    ChatLane Lane, ModelRef Model, ProviderDescriptor Provider, IChatBackend Backend, ProviderEndpoint Endpoint,
    ChatCompletionRequest Request, TimeSpan Timeout, AgentFormat Format, bool ToolsOffered, IReadOnlyList<string> Warnings)
{
    /// <summary>The response header that carries <see cref="Warnings"/>, joined by <c>"; "</c>.</summary>
    public const string WarningHeader = "X-AbstractCore-Warning";

    /// <summary>A relay's options: none (the client's body carries them).</summary>
    internal static readonly ChatOptions NoOptions = new();

    /// <summary>The translating lane's options for <see cref="Client"/>; empty for a relay.</summary>
    public ChatOptions Options { get; init; } = NoOptions;

    /// <summary>The relay lane's fields for the upstream body: thinking in the provider's dialect, then a checked
    /// <c>prompt_cache_binding</c> and its key; empty when translating.</summary>
    public IReadOnlyList<(string Name, string Json)> Thinking { get; init; } = [];

    /// <summary>The alias the client named, when this is one attempt on its deployments: the client sees its name as the model.</summary>
    public ModelAlias? Alias { get; init; }

    /// <summary>How long the call may wait for its first byte: an alias's <c>first_byte_timeout_s</c>, else <see cref="Timeout"/>.</summary>
    public TimeSpan FirstByteTimeout { get; init; }

    /// <summary>The longest silence between a stream's chunks: an alias's <c>stream_idle_timeout_s</c>, else <see cref="Timeout"/>.</summary>
    public TimeSpan IdleTimeout { get; init; }

    /// <summary>The 504 of a deadline that passed: before the first byte (<see cref="FirstByteTimeout"/>) or, once the
    /// stream <paramref name="started"/>, between chunks (<see cref="IdleTimeout"/>), naming the setting that set it.</summary>
    public GatewayException TimeoutFailure(bool started)
    {
        var (after, field) = started ? (IdleTimeout, "stream_idle_timeout_s") : (FirstByteTimeout, "first_byte_timeout_s");
        return UpstreamFailure.Timeout(Model.Provider, after, Alias is { } alias && after != Timeout ? $"{field} of the model alias '{alias.Name}'" : null);
    }

    /// <summary>Whether the client asked for its model to be unloaded when the call is done.</summary>
    public bool UnloadAfter => Request.UnloadAfter == true;

    /// <summary>The translating lane's client for this upstream (cached per endpoint); a relay never asks for it.</summary>
    public IChatClient Client => Backend.GetClient(Endpoint);

    /// <summary>The value of <see cref="WarningHeader"/>, or null when there is nothing to report.</summary>
    public string? Warning => Warnings.Count > 0 ? Joined(Warnings) : null;

    internal static string Joined(IEnumerable<string> warnings) => string.Join("; ", warnings);
}
