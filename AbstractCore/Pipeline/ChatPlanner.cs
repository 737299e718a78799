using System.Text.Json;
using AbstractCore.Aliases;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Providers;
using AbstractCore.Providers.OpenAICompatible;
using AbstractCore.Routing;
using Microsoft.Extensions.AI;

namespace AbstractCore.Pipeline;

/// <summary>
/// Builds a <see cref="ChatPlan"/> the same way for chat completions (either lane) and the Responses API, from what the
/// host read off the request. The checks keep the original's order: the request mapping (response_format, thinking, …,
/// which may refuse or add warnings) → the server-held key guard → base_url (both in
/// <see cref="ProviderResolver.ResolveAsync"/>) → <c>unload_after</c> → <c>prompt_cache_binding</c> → agent_format (an
/// unknown one only warns).
/// </summary>
public sealed class ChatPlanner(ProviderResolver providers, ChatBackends backends, ChatPlanSettings settings, ModelAliases aliases)
{
    /// <summary>
    /// The provider <paramref name="model"/> names on this path (404 when unknown) and its backend (501 when not
    /// registered); on the unprefixed path a configured alias first.
    /// </summary>
    public ChatRoute Route(string model, string? pathProvider)
    {
        if (pathProvider is null && aliases.Find(model) is { } alias)
        {
            return _aliasRoutes.TryGetValue(alias, out var route)
                ? route
                : _aliasRoutes.GetOrAdd(alias, a => ForDeployment(a, a.Deployments[0]) with { Deployment = null });
        }

        var reference = ModelRef.ForPath(model, pathProvider);
        var provider = ProviderCatalog.Get(reference.Provider);
        return new ChatRoute(reference, provider, backends.For(provider));
    }

    /// <summary>The route of one attempt on an alias's deployment (built once per deployment).</summary>
    public ChatRoute ForDeployment(ModelAlias alias, AliasDeployment deployment) =>
        _deploymentRoutes.TryGetValue(deployment, out var route) ? route : _deploymentRoutes.GetOrAdd(deployment, (d, a) =>
        {
            var provider = ProviderCatalog.Get(d.Model.Provider);
            return new ChatRoute(d.Model, provider, backends.For(provider)) { Alias = a, Deployment = d };
        }, alias);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<ModelAlias, ChatRoute> _aliasRoutes = new(ReferenceEqualityComparer.Instance);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<AliasDeployment, ChatRoute> _deploymentRoutes = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Whether a request whose messages allow it is relayed as bytes: an OpenAI-compatible upstream and an agent format
    /// with structured calls. Decides without throwing; anything else goes to the translating lane.
    /// </summary>
    public static bool Relays(ChatRoute route, string? agentFormat, string? userAgent) =>
        route.Backend.Protocol == ProviderProtocol.OpenAICompatible && RelayEligibility.Relays(agentFormat, userAgent);

    /// <summary>The translating lane: the backend maps the request (and may adjust <paramref name="messages"/> for its protocol).</summary>
    public async Task<ChatPlan> PlanAsync(
        ChatRoute route, ChatCompletionRequest request, IList<ChatMessage> messages, ChatCaller caller, CancellationToken cancellationToken)
    {
        var warnings = new List<string>(0);
        var options = route.Backend.Prepare(route.Provider, request, route.Model.Model, messages, warnings);
        var toolsOffered = request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0;
        return await CheckAsync(route, request, caller, warnings, ChatLane.Translating, toolsOffered, options, [], cancellationToken);
    }

    /// <summary>
    /// The relay lane, for a request whose messages allow it (<paramref name="toolsOffered"/> read from its body): null,
    /// having thrown nothing and changed nothing, when it must go to the translating lane (<see cref="Relays"/>).
    /// </summary>
    public async Task<ChatPlan?> PlanRelayAsync(
        ChatRoute route, ChatCompletionRequest request, bool toolsOffered, ChatCaller caller, CancellationToken cancellationToken)
    {
        if (!Relays(route, request.AgentFormat, caller.UserAgent))
        {
            return null;
        }

        var warnings = new List<string>(0);
        var thinking = OpenAIThinking.Fields(route.Provider.Name, route.Model.Model, request, warnings);
        return await CheckAsync(route, request, caller, warnings, ChatLane.Relay, toolsOffered, ChatPlan.NoOptions, thinking, cancellationToken);
    }

    /// <summary>The pass-through lane (<see cref="ChatLane.PassThrough"/>): the same key, base_url, <c>unload_after</c> and
    /// deadline checks for a body the upstream takes as the client wrote it.</summary>
    public Task<ChatPlan> PlanPassThroughAsync(ChatRoute route, ChatCompletionRequest request, ChatCaller caller, CancellationToken cancellationToken) =>
        CheckAsync(route, request, caller, new List<string>(0), ChatLane.PassThrough, toolsOffered: false, ChatPlan.NoOptions, [], cancellationToken);

    /// <summary>The checks after the request mapping, in order, then the plan.</summary>
    private async Task<ChatPlan> CheckAsync(
        ChatRoute route, ChatCompletionRequest request, ChatCaller caller, List<string> warnings, ChatLane lane, bool toolsOffered,
        ChatOptions options, IReadOnlyList<(string Name, string Json)> thinking, CancellationToken cancellationToken)
    {
        var providerRequest = new ProviderRequest(request.BaseUrl, caller.ProviderKey, caller.Authenticated);
        var endpoint = route.Deployment is { } deployment
            ? await providers.ResolveDeploymentAsync(route.Provider, deployment.Upstream, providerRequest, cancellationToken)
            : await providers.ResolveAsync(route.Provider, providerRequest, cancellationToken);
        UnloadAfter.Check(route.Provider, route.Backend, request, settings.AllowUnsafeUnloadAfter, warnings);
        if (Binding(route, request, warnings) is { Count: > 0 } binding && lane == ChatLane.Relay)
        {
            thinking = [.. thinking, .. binding]; // the relayed body gets them like the thinking fields, the client's own dropped
        }

        var format = AgentFormatRules.Resolve(request.AgentFormat, caller.UserAgent, warnings);
        var timeout = settings.TimeoutFor(request.Extra);
        return new ChatPlan(lane, route.Model, route.Provider, route.Backend, endpoint, request, timeout, format, toolsOffered, warnings)
        {
            Options = options,
            Thinking = thinking,
            Alias = route.Alias,
            FirstByteTimeout = Shorter(route.Alias?.FirstByteTimeout, timeout),
            IdleTimeout = Shorter(route.Alias?.StreamIdleTimeout, timeout),
        };
    }

    /// <summary>An alias's limit where it is shorter than the request's deadline (which may be infinite).</summary>
    private static TimeSpan Shorter(TimeSpan? alias, TimeSpan timeout) =>
        alias is { } limit && (timeout == Timeout.InfiniteTimeSpan || limit < timeout) ? limit : timeout;

    /// <summary>
    /// The binding's fields (<see cref="PromptCacheBinding"/>). Refused after the warnings were collected, so its 400
    /// carries them in <see cref="ChatPlan.WarningHeader"/>, as an answer would.
    /// </summary>
    private static IReadOnlyList<(string Name, string Json)> Binding(ChatRoute route, ChatCompletionRequest request, List<string> warnings)
    {
        try
        {
            return PromptCacheBinding.Apply(route.Provider, request);
        }
        catch (GatewayException e) when (warnings.Count > 0 && e.Headers is null)
        {
            throw new GatewayException(e.Status, e.Message, e.Type, e.Param, e.Code)
            {
                Headers = new Dictionary<string, string> { [ChatPlan.WarningHeader] = ChatPlan.Joined(warnings) },
            };
        }
    }
}
