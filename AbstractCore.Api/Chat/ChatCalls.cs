using System.Diagnostics.CodeAnalysis;
using AbstractCore.Aliases;
using AbstractCore.Api.Aliases;
using AbstractCore.Api.Auth;
using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Chat;

/// <summary>
/// Runs the chat calls the library plans (<see cref="ChatPlanner"/>), the same way for chat completions and the Responses
/// API: the request's caller and abort token go in, the plan's warnings come out as a header, and the call runs under
/// its deadline, telemetry and <c>unload_after</c> bookkeeping.
/// </summary>
internal sealed partial class ChatCalls(
    ChatPlanner planner, AliasAttempts aliases, UnloadAfter unloads, GatewaySettings settings, Telemetry.GatewayTelemetry telemetry,
    ILogger<ChatCalls> logger)
{
    /// <summary>
    /// Runs <paramref name="attempt"/> on the route: once for a <c>provider/model</c>; for an alias, on one deployment
    /// after another (<see cref="AliasAttempts"/>) until one answers, each attempt planning and running its own call.
    /// Nothing is retried once the client got a byte.
    /// </summary>
    public ValueTask RouteAsync(HttpContext context, ChatRoute route, Func<ChatRoute, Task> attempt) => route.Alias is { } alias
        ? aliases.RunAsync(context, alias, new RouteAttempt(context.Response, planner, attempt))
        : new(attempt(route));

    /// <summary>An alias's attempt: the route of the deployment it reached.</summary>
    private sealed class RouteAttempt(HttpResponse response, ChatPlanner planner, Func<ChatRoute, Task> attempt) : AliasAttempts.Attempt(response)
    {
        protected override Task RunOnAsync(DeploymentState deployment) => attempt(planner.ForDeployment(deployment.Alias, deployment.Deployment));
    }

    /// <summary>
    /// Continues a broken stream of an alias that resumes by prefill: the next deployment (through the same retry and
    /// circuit rules) gets the conversation and the text delivered so far as an assistant prefix, and its stream is
    /// returned standing on its first update. Null when no deployment could continue: the stream then ends with the error.
    /// </summary>
    public async Task<StreamContinuation?> ResumeAsync(
        HttpContext context, ChatCompletionRequest request, IList<ChatMessage> messages, string delivered)
    {
        if (AliasAttempts.Current(context) is not { } call)
        {
            return null;
        }

        StreamContinuation? continuation = null;
        try
        {
            var continued = await aliases.ContinueAsync(context, call, async deployment =>
            {
                List<ChatMessage> prefilled = [.. messages, new ChatMessage(ChatRole.Assistant, delivered)];
                var plan = await planner.PlanAsync(
                    planner.ForDeployment(call.Alias, deployment.Deployment), request, prefilled, Caller(context), context.RequestAborted);
                continuation = await StreamContinuation.StartAsync(plan, prefilled, context.RequestAborted);
            });
            return continued ? continuation : null;
        }
        catch (Exception e) when (e is GatewayException or Polly.CircuitBreaker.BrokenCircuitException && !context.RequestAborted.IsCancellationRequested)
        {
            LogResumeFailed(logger, call.Alias.Name, e.Message);
            return null;
        }
    }

    /// <summary>The translating lane's plan; from here on the request counts as the provider's.</summary>
    public async Task<ChatPlan> PlanAsync(HttpContext context, ChatRoute route, ChatCompletionRequest request, IList<ChatMessage> messages)
    {
        Routed(context, route);
        var plan = await planner.PlanAsync(route, request, messages, Caller(context), context.RequestAborted);
        Warn(context, plan);
        return plan;
    }

    /// <summary>The pass-through lane's plan (<see cref="ChatLane.PassThrough"/>); from here on the request counts as the provider's.</summary>
    public async Task<ChatPlan> PlanPassThroughAsync(HttpContext context, ChatRoute route, ChatCompletionRequest request)
    {
        Routed(context, route);
        var plan = await planner.PlanPassThroughAsync(route, request, Caller(context), context.RequestAborted);
        Warn(context, plan);
        return plan;
    }

    /// <summary>
    /// The relay lane's plan, or null, having changed nothing, when the request goes to the translating lane. Once the
    /// lane is chosen the request counts as the provider's, whether or not the plan's checks pass.
    /// </summary>
    public async Task<ChatPlan?> PlanRelayAsync(HttpContext context, ChatRoute route, ChatCompletionRequest request, bool toolsOffered)
    {
        ChatPlan? plan;
        try
        {
            plan = await planner.PlanRelayAsync(route, request, toolsOffered, Caller(context), context.RequestAborted);
        }
        catch (Exception) when (RoutedThenRethrow(context, route))
        {
            throw; // never reached: the filter marks the request and lets the exception pass
        }

        if (plan is not null)
        {
            Routed(context, route);
            Warn(context, plan);
        }

        return plan;
    }

    /// <summary>
    /// Runs the call under its deadline (a linked token, so a slow upstream is a 504 while a client that left
    /// just cancels the upstream request), inside <c>unload_after</c>'s bookkeeping, with upstream failures mapped.
    /// The call's <c>chat {model}</c> span (the parent of the upstream HTTP call) and metrics cover exactly this;
    /// <paramref name="run"/> gets them (null when nothing listens).
    /// </summary>
    [SuppressMessage("Reliability", "CA2000", Justification = "The recorder is a using variable; the analyzer loses it in the lambda.")]
    public async Task RunAsync(HttpContext context, ChatPlan plan, Func<CancellationTokenSource, Telemetry.ChatCallTelemetry?, Task> run)
    {
        var model = plan.Model;
        var aborted = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(plan.FirstByteTimeout);
        using var recorder = telemetry.Start(plan, model, Spend.RequestBill.Of(context));
        if (recorder is not null)
        {
            recorder.EstimatedInputTokens = AbstractCore.Messages.TokenEstimate.OfChars(context.Request.ContentLength ?? 0);
        }

        try
        {
            await unloads.RunAsync(plan.Backend, plan.Endpoint, model.Model, plan.UnloadAfter, () => run(deadline, recorder));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            recorder?.Cancelled();
            LogClientLeft(logger, model.ToString());
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var failure = plan.TimeoutFailure(context.Response.HasStarted);
            recorder?.Fail(failure);
            throw failure;
        }
        catch (Exception e) when (e is not GatewayException and not OperationCanceledException)
        {
            var failure = KeyScrubbing.Scrub(UpstreamFailure.From(e, model.Provider), plan.Endpoint.ApiKey);
            recorder?.Fail(failure);
            throw failure;
        }
        catch (GatewayException e) when (Telemetry.ChatCallTelemetry.Record(recorder, e))
        {
            throw; // never reached: the filter records and lets the exception pass
        }
    }

    /// <summary>What the planner needs to know of the caller, read from the request.</summary>
    private ChatCaller Caller(HttpContext context) => new(
        context.Request.Headers.ProviderKey(settings.AuthEnabled), ServerAuth.IsAuthenticated(context),
        context.Request.Headers.UserAgent);

    /// <summary>The request counter's provider, and the model named (as text) only if the upstream refuses.</summary>
    private void Routed(HttpContext context, ChatRoute route)
    {
        telemetry.SetProvider(context, route.Provider.Name);
        context.Items[Logging.UpstreamRefusals.ModelItem] = route.Model;
    }

    /// <summary><see cref="Routed"/> as an exception filter that never catches.</summary>
    private bool RoutedThenRethrow(HttpContext context, ChatRoute route)
    {
        Routed(context, route);
        return false;
    }

    private static void Warn(HttpContext context, ChatPlan plan)
    {
        if (plan.Warning is { } warning)
        {
            context.Response.Headers[ChatPlan.WarningHeader] = warning;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Alias}: no deployment could continue the broken stream ({Message}); it ends with the error")]
    private static partial void LogResumeFailed(ILogger logger, string alias, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: the client disconnected; the upstream call was cancelled")]
    private static partial void LogClientLeft(ILogger logger, string model);
}
