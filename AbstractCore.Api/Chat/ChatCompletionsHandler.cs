using System.Text.Json;
using AbstractCore.Api.Chat.Relay;
using AbstractCore.Api.Hosting;
using AbstractCore.Attachments;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Chat.Forwarding;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.OpenAI.Sse;
using AbstractCore.Pipeline;
using AbstractCore.Routing;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: parse, route to a provider's <see cref="IChatClient"/>, answer in the
/// OpenAI shape. The request's abort token reaches the upstream socket, under a deadline of its own so a
/// slow upstream (504) is told apart from a client that left.
/// </summary>
internal sealed partial class ChatCompletionsHandler(
    ChatPlanner planner, ChatCalls calls, ChatRelay relay, MessageAttachments attachments, ILogger<ChatCompletionsHandler> logger)
{
    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var aborted = context.RequestAborted;
        using var body = await Requests.JsonBody.ReadAsync(context.Request, aborted);
        if (await TryRelayAsync(context, body, pathProvider))
        {
            return;
        }

        var request = ChatRequestReader.Read(body);
        ChatRequestRules.Validate(request);
        var route = planner.Route(request.Model!, pathProvider);
        await attachments.ResolveAsync(request.Messages!, aborted);
        var messages = ChatMessageConverter.Convert(request.Messages!);
        var plan = await calls.PlanAsync(context, route, request, messages);
        var (model, timeout, format, toolsOffered) = (plan.Model, plan.Timeout, plan.Format, plan.ToolsOffered);

        await calls.RunAsync(context, plan, async (deadline, telemetry) =>
        {
            if (request.Stream == true)
            {
                var upstream = new IdleDeadline(deadline, plan.IdleTimeout).Watch(plan.Client.GetStreamingResponseAsync(messages, plan.Options, deadline.Token));
                var updates = AgentFormatting.Apply(upstream, format, toolsOffered);
                await StreamAsync(context, updates, model, request, deadline, timeout, telemetry);
            }
            else
            {
                var response = await plan.Client.GetResponseAsync(messages, plan.Options, deadline.Token);
                telemetry?.Response(response);
                AgentFormatting.Apply(response, format, toolsOffered);
                var completion = ChatCompletionMapper.ToCompletion(response, model.ToString(), request.Logprobs == true);
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, completion, OpenAIJsonContext.Wire.ChatCompletion, aborted);
            }
        });
    }

    /// <summary>
    /// An OpenAI-compatible upstream gets the client's bytes, rewritten in one pass, when the body's head
    /// (<see cref="ChatRequestHead"/>) shows nothing the translating path would change; the answer comes back the same
    /// way. False, having sent nothing, when the request is not for relaying.
    /// </summary>
    private async Task<bool> TryRelayAsync(HttpContext context, Requests.JsonBody body, string? pathProvider)
    {
        if (ChatRequestHead.TryRead(body.Utf8, attachments, out var toolsOffered) is not { } request)
        {
            return false;
        }

        ChatRequestReader.RequireModelWithoutKey(request.Model, request.Extra);
        ChatRequestRules.Validate(request, toolsOffered);
        var route = planner.Route(request.Model!, pathProvider);
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
        HttpContext context, IAsyncEnumerable<ChatResponseUpdate> stream, ModelRef model, ChatCompletionRequest request,
        CancellationTokenSource deadline, TimeSpan timeout, Telemetry.ChatCallTelemetry? telemetry)
    {
        await using var updates = stream.GetAsyncEnumerator(deadline.Token);

        await EventStream.StartAsync(context, updates, model.Provider);
        var more = true;

        using var sse = new SseWriter(context.Response.BodyWriter);
        var mapper = new ChunkStreamMapper(model.ToString(), request.StreamOptions?.IncludeUsage == true, request.Logprobs == true);
        var aborted = context.RequestAborted;
        try
        {
            while (more)
            {
                telemetry?.Update(updates.Current);
                if (mapper.Map(updates.Current) is { } chunk)
                {
                    sse.Write(chunk, OpenAIJsonContext.Wire.ChatCompletionChunk);
                }

                more = await EventStream.NextAsync(updates, context.Response.BodyWriter, aborted);
            }
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            // Headers are gone: the failure travels in-band, then the stream ends without [DONE].
            var failure = e is OperationCanceledException ? UpstreamFailure.Timeout(model.Provider, timeout) : UpstreamFailure.From(e, model.Provider);
            LogStreamFailure(logger, model.ToString(), failure.Message);
            telemetry?.Fail(failure);
            await sse.WriteAsync(failure.ToEnvelope(), OpenAIJsonContext.Wire.ErrorEnvelope, aborted);
            return;
        }

        foreach (var chunk in mapper.Finish())
        {
            await sse.WriteAsync(chunk, OpenAIJsonContext.Wire.ChatCompletionChunk, aborted);
        }

        await sse.WriteDoneAsync(aborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
