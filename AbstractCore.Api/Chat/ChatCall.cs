using System.Text.Json;
using AbstractCore.Api.Hosting;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.Providers;
using AbstractCore.Routing;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Chat;

/// <summary>One upstream call, ready to run: the upstream, the options, the deadline and how tool calls are rendered.</summary>
public sealed record ChatCall(
    IChatBackend Backend, ProviderEndpoint Endpoint, ChatOptions Options, TimeSpan Timeout, AgentFormat Format, bool ToolsOffered)
{
    /// <summary>The translating paths' client for this upstream (cached per endpoint); a relayed call never asks for it.</summary>
    public IChatClient Client => Backend.GetClient(Endpoint);

    /// <summary>The call's span and metrics while it runs (<see cref="ChatCalls.RunAsync"/>); null when nothing listens.</summary>
    public Telemetry.ChatCallTelemetry? Telemetry { get; set; }

    /// <summary>The request as the client sent it (its sampling options are the span's <c>gen_ai.request.*</c>).</summary>
    public ChatCompletionRequest? Request { get; init; }
}

/// <summary>Builds a <see cref="ChatCall"/> the same way for chat completions and the Responses API.</summary>
public sealed partial class ChatCalls(
    ProviderResolver providers, ChatBackends backends, UnloadAfter unloads, GatewaySettings settings, Telemetry.GatewayTelemetry telemetry,
    ILogger<ChatCalls> logger)
{
    public async Task<ChatCall> PrepareAsync(
        HttpContext context, ProviderDescriptor provider, ModelRef model, ChatCompletionRequest request, List<ChatMessage> messages,
        IReadOnlyDictionary<string, JsonElement>? extra)
    {
        var backend = backends.For(provider);
        return await PrepareAsync(context, provider, backend, model, request, extra,
            request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0,
            warnings => backend.Prepare(provider, request, model.Model, messages, warnings));
    }

    /// <summary>
    /// The same checks in the same order for a request relayed as bytes: <paramref name="mapRequest"/> is the
    /// protocol's own request mapping (which may refuse the request or add warnings), run before the endpoint is resolved;
    /// its options are the call's.
    /// </summary>
    public async Task<ChatCall> PrepareAsync(
        HttpContext context, ProviderDescriptor provider, IChatBackend backend, ModelRef model, ChatCompletionRequest request,
        IReadOnlyDictionary<string, JsonElement>? extra, bool toolsOffered, Func<ICollection<string>, ChatOptions> mapRequest)
    {
        telemetry.SetProvider(context, provider.Name);
        context.Items[Logging.UpstreamRefusals.ModelItem] = model; // named (as text) only if the upstream refuses
        var key = ProviderKeys.FromHeaders(context.Request.Headers, settings.AuthEnabled);

        // The original's order: request checks (response_format, …) → server-held key guard → base_url → unload_after.
        var warnings = new List<string>(0);
        var options = mapRequest(warnings);
        var endpoint = await providers.ResolveAsync(
            provider, new ProviderRequest(request.BaseUrl, key, Auth.ServerAuth.IsAuthenticated(context)), context.RequestAborted);
        unloads.Check(provider, backend, request, warnings);
        if (warnings.Count > 0)
        {
            context.Response.Headers["X-AbstractCore-Warning"] = string.Join("; ", warnings);
        }

        return new ChatCall(
            backend, endpoint, options, settings.TimeoutFor(extra),
            AgentFormats.Resolve(request.AgentFormat, context.Request.Headers.UserAgent), toolsOffered)
        {
            Request = request,
        };
    }

    /// <summary>
    /// Runs the call under its deadline (a linked token, so a slow upstream is a 504 while a client that left
    /// just cancels the upstream request), inside <c>unload_after</c>'s bookkeeping, with upstream failures mapped.
    /// The call's <c>chat {model}</c> span (the parent of the upstream HTTP call) and metrics cover exactly this.
    /// </summary>
    public async Task RunAsync(HttpContext context, ChatCall call, ModelRef model, bool unloadAfter, Func<CancellationTokenSource, Task> run)
    {
        var aborted = context.RequestAborted;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(call.Timeout);
        using var recorder = call.Telemetry = telemetry.Start(call, model);
        try
        {
            await unloads.RunAsync(call.Backend, call.Endpoint, model.Model, unloadAfter, () => run(deadline));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            recorder?.Cancelled();
            LogClientLeft(logger, model.ToString());
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var failure = UpstreamFailure.Timeout(model.Provider, call.Timeout);
            recorder?.Fail(failure);
            throw failure;
        }
        catch (Exception e) when (e is not GatewayException and not OperationCanceledException)
        {
            var failure = KeyScrubbing.Scrub(UpstreamFailure.From(e, model.Provider), call.Endpoint.ApiKey);
            recorder?.Fail(failure);
            throw failure;
        }
        catch (GatewayException e) when (Telemetry.ChatCallTelemetry.Record(recorder, e))
        {
            throw; // never reached: the filter records and lets the exception pass
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Model}: the client disconnected; the upstream call was cancelled")]
    private static partial void LogClientLeft(ILogger logger, string model);
}
