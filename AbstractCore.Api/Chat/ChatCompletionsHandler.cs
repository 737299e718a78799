using System.Text.Json;
using AbstractCore.Aliases;
using AbstractCore.Api.Chat.Relay;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Attachments;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Chat.Forwarding;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;
using AbstractCore.Pipeline;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: parse, route to a provider's <see cref="IChatClient"/>, answer in the
/// OpenAI shape. The request's abort token reaches the upstream socket, under a deadline of its own so a
/// slow upstream (504) is told apart from a client that left. A model alias runs one attempt per deployment
/// (<see cref="ChatCalls.RouteAsync"/>), each in the lane its deployment takes.
/// </summary>
internal sealed partial class ChatCompletionsHandler(
    ChatPlanner planner, ChatCalls calls, ChatRelay relay, MessageAttachments attachments, ILogger<ChatCompletionsHandler> logger)
{
    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        using var body = await Requests.JsonBody.ReadAsync(context.Request, context.RequestAborted);
        await HandleAsync(context, pathProvider, body);
    }

    /// <summary>The request with its body already read (the chat route shows it to the response cache first).</summary>
    public async Task HandleAsync(HttpContext context, string? pathProvider, Requests.JsonBody body)
    {
        // The body's head, when its messages could be relayed as bytes (ChatRequestHead); else the whole request, bound.
        var head = ChatRequestHead.TryRead(body.Utf8, attachments, out var toolsOffered);
        Translation? translation = null;
        ChatRoute route;
        if (head is not null)
        {
            ChatRequestReader.RequireModelWithoutKey(head.Model, head.Extra);
            ChatRequestRules.Validate(head, toolsOffered);
            route = planner.Route(context, head.Model!, pathProvider);
        }
        else
        {
            translation = Translation.Read(body);
            route = planner.Route(context, translation.Request.Model!, pathProvider);
        }

        await calls.RouteAsync(context, route, async attempt =>
        {
            // A stream an alias may continue elsewhere goes through the event model, which knows the text it delivered.
            var resumable = attempt.Alias?.Resume == AliasResume.Prefill && head?.Stream == true;
            if (head is not null && !resumable && await TryRelayAsync(context, body, head, toolsOffered, attempt))
            {
                return;
            }

            translation ??= Translation.Read(body);
            await TranslateAsync(context, attempt, translation);
        });
    }

    /// <summary>The request bound whole, its attachments resolved and its messages converted once for every attempt.</summary>
    private sealed class Translation(ChatCompletionRequest request)
    {
        private IList<ChatMessage>? _messages;

        public ChatCompletionRequest Request => request;

        public static Translation Read(Requests.JsonBody body)
        {
            var request = ChatRequestReader.Read(body);
            ChatRequestRules.Validate(request);
            return new Translation(request);
        }

        /// <summary>The messages for one attempt: a copy for an alias, whose backends may adjust them for their protocol.</summary>
        public async Task<IList<ChatMessage>> MessagesAsync(MessageAttachments attachments, ModelAlias? alias, CancellationToken cancellationToken)
        {
            if (_messages is null)
            {
                await attachments.ResolveAsync(request.Messages!, cancellationToken);
                _messages = ChatMessageConverter.Convert(request.Messages!);
            }

            return alias is null ? _messages : [.. _messages];
        }
    }

    private async Task TranslateAsync(HttpContext context, ChatRoute route, Translation translation)
    {
        var request = translation.Request;
        var messages = await translation.MessagesAsync(attachments, route.Alias, context.RequestAborted);
        var plan = await calls.PlanAsync(context, route, request, messages);
        await calls.RunAsync(context, plan, async (deadline, telemetry) =>
        {
            if (request.Stream == true)
            {
                var mapper = new ChunkStreamMapper(ClientModel(plan), request.StreamOptions?.IncludeUsage == true, request.Logprobs == true)
                {
                    KeepText = plan.Alias?.Resume == AliasResume.Prefill,
                };
                await StreamAsync(context, StreamContinuation.Open(plan, messages, deadline), mapper, plan, deadline, telemetry, translation);
            }
            else
            {
                var response = await plan.Client.GetResponseAsync(messages, plan.Options, deadline.Token);
                telemetry?.Response(response);
                AgentFormatting.Apply(response, plan.Format, plan.ToolsOffered);
                var completion = ChatCompletionMapper.ToCompletion(response, ClientModel(plan), request.Logprobs == true);
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, completion, OpenAIJsonContext.Wire.ChatCompletion, context.RequestAborted);
            }
        });
    }

    /// <summary>The model the client sees: the alias it named, else the provider's model.</summary>
    private static string ClientModel(ChatPlan plan) => plan.Alias?.Name ?? plan.Model.ToString();

    /// <summary>
    /// An OpenAI-compatible upstream gets the client's bytes, rewritten in one pass, when the body's head
    /// (<see cref="ChatRequestHead"/>) shows nothing the translating path would change; the answer comes back the same
    /// way. False, having sent nothing, when the request is not for relaying.
    /// </summary>
    private async Task<bool> TryRelayAsync(HttpContext context, Requests.JsonBody body, ChatCompletionRequest request, bool toolsOffered, ChatRoute route)
    {
        if (await calls.PlanRelayAsync(context, route, request, toolsOffered) is not { } plan)
        {
            return false;
        }

        var stream = request.Stream == true;
        var upstreamBody = UpstreamChatBody.Rewrite(body.Utf8, plan.Model.Model, stream, plan.Thinking);
        await calls.RunAsync(context, plan, (deadline, telemetry) =>
            relay.SendAsync(context, plan, telemetry, upstreamBody, stream, request.StreamOptions?.IncludeUsage == true, deadline));
        return true;
    }

    private async Task StreamAsync(
        HttpContext context, IAsyncEnumerable<ChatResponseUpdate> stream, ChunkStreamMapper mapper, ChatPlan plan,
        CancellationTokenSource deadline, Telemetry.ChatCallTelemetry? telemetry, Translation translation)
    {
        var updates = stream.GetAsyncEnumerator(deadline.Token);
        StreamContinuation? continuation = null;
        try
        {
            await EventStream.StartAsync(context, updates, plan.Model.Provider);
            using var sse = new SseWriter(context.Response.BodyWriter);
            var aborted = context.RequestAborted;
            while (true)
            {
                try
                {
                    var more = true;
                    while (more)
                    {
                        telemetry?.Update(updates.Current);
                        if (mapper.Map(updates.Current) is { } chunk)
                        {
                            sse.Write(chunk, OpenAIJsonContext.Wire.ChatCompletionChunk);
                        }

                        more = await EventStream.NextAsync(updates, context.Response.BodyWriter, aborted);
                    }

                    break;
                }
                catch (Exception e) when (!aborted.IsCancellationRequested)
                {
                    // Headers are gone: the failure travels in-band, unless the alias continues the text elsewhere.
                    var failure = e is OperationCanceledException ? plan.TimeoutFailure(started: true) : UpstreamFailure.From(e, plan.Model.Provider);
                    LogStreamFailure(logger, plan.Model.ToString(), failure.Message);
                    telemetry?.Fail(failure);
                    if (mapper.KeepText && !mapper.StartedToolCalls && await calls.ResumeAsync(
                        context, translation.Request, await translation.MessagesAsync(attachments, plan.Alias, aborted), mapper.Delivered) is { } next)
                    {
                        await updates.DisposeAsync();
                        if (continuation is not null)
                        {
                            await continuation.DisposeAsync();
                        }

                        (continuation, plan, updates, telemetry) = (next, next.Plan, next.Updates, null);
                        mapper.Continue();
                        continue;
                    }

                    await sse.WriteAsync(mapper.Failure(failure), OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
                    return;
                }
            }

            foreach (var chunk in mapper.Finish())
            {
                await sse.WriteAsync(chunk, OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
            }

            await sse.WriteDoneAsync(aborted);
        }
        finally
        {
            await updates.DisposeAsync();
            if (continuation is not null)
            {
                await continuation.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
