using AbstractCore.Api.Chat;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Attachments;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.Chat.Forwarding;
using AbstractCore.Messages;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Upstream;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Messages;

/// <summary>
/// <c>POST /v1/messages</c>: Anthropic's Messages API in front of every provider. For <c>anthropic/*</c> the body passes
/// through (<see cref="AnthropicPassThrough"/>); for every other provider the request becomes the chat pipeline's
/// messages and options (<see cref="MessagesTranslator"/>), goes to the same backend and <see cref="IChatClient"/> as
/// <c>/v1/chat/completions</c>, and the answer is told back as Anthropic's message or its events (<see cref="MessageAssembler"/>).
/// </summary>
internal sealed partial class MessagesHandler(
    ChatPlanner planner, ChatCalls calls, MessageAttachments attachments, AnthropicPassThrough anthropic, MessagesPing ping,
    ILogger<MessagesHandler> logger)
{
    public async Task HandleAsync(HttpContext context, string? pathProvider)
    {
        var (request, body) = await ReadAsync(context);
        MessagesRules.Validate(request);
        var route = planner.Route(context, request.Model!, pathProvider);
        List<AbstractCore.OpenAI.Chat.ChatMessageDto>? wire = null;
        await calls.RouteAsync(context, route, async attempt =>
        {
            if (attempt.Backend.Protocol == ProviderProtocol.Anthropic)
            {
                await PassThroughAsync(context, attempt, request, body, "/messages");
                return;
            }

            if (wire is null)
            {
                wire = MessagesTranslator.Conversation(request);
                await attachments.ResolveAsync(wire, context.RequestAborted);
            }

            await TranslateAsync(context, attempt, request, wire);
        });
    }

    private async Task TranslateAsync(HttpContext context, ChatRoute route, MessagesRequest request, List<AbstractCore.OpenAI.Chat.ChatMessageDto> wire)
    {
        var chatRequest = MessagesTranslator.ToChatRequest(request, route.Model.Model, wire);
        ChatRequestRules.Validate(chatRequest);
        var messages = ChatMessageConverter.Convert(wire);
        var plan = await calls.PlanAsync(context, route, chatRequest, messages);
        using var assembler = new MessageAssembler(request.Model!, TokenEstimate.Of(request));
        await calls.RunAsync(context, plan, async (deadline, telemetry) =>
        {
            if (request.Stream == true)
            {
                var upstream = new IdleDeadline(deadline, plan.IdleTimeout).Watch(plan.Client.GetStreamingResponseAsync(messages, plan.Options, deadline.Token));
                await StreamAsync(context, AgentFormatting.Apply(upstream, plan.Format, plan.ToolsOffered), plan, assembler, deadline, telemetry);
            }
            else
            {
                var response = await plan.Client.GetResponseAsync(messages, plan.Options, deadline.Token);
                telemetry?.Response(response);
                AgentFormatting.Apply(response, plan.Format, plan.ToolsOffered);
                context.Response.ContentType = "application/json";
                assembler.WriteMessage(response, context.Response.BodyWriter);
            }
        });
    }

    /// <summary><c>POST /v1/messages/count_tokens</c>: forwarded to Anthropic; for <c>onnx/*</c> the prompt as the model's
    /// template and tokenizer see it (a one-token generation, whose usage counts the prompt); estimated elsewhere
    /// (<see cref="CountHeader"/> says which).</summary>
    public async Task CountTokensAsync(HttpContext context, string? pathProvider)
    {
        var (request, body) = await ReadAsync(context);
        MessagesRules.Validate(request, countOnly: true);
        var route = planner.Route(context, request.Model!, pathProvider);
        if (route.Backend.Protocol == ProviderProtocol.Anthropic)
        {
            context.Response.Headers[CountHeader] = "exact";
            await PassThroughAsync(context, route, request, body, "/messages/count_tokens");
            return;
        }

        var count = TokenEstimate.Of(request);
        var exact = false;
        if (route.Provider.Name == "onnx")
        {
            var wire = MessagesTranslator.Conversation(request);
            await attachments.ResolveAsync(wire, context.RequestAborted);
            var chatRequest = MessagesTranslator.ToChatRequest(request, route.Model.Model, wire);
            (chatRequest.MaxTokens, chatRequest.Stream) = (1, false);
            var messages = ChatMessageConverter.Convert(wire);
            var plan = await calls.PlanAsync(context, route, chatRequest, messages);
            await calls.RunAsync(context, plan, async (deadline, _) =>
            {
                var response = await plan.Client.GetResponseAsync(messages, plan.Options, deadline.Token);
                (count, exact) = response.Usage?.InputTokenCount is { } input ? (input, true) : (count, false);
            });
        }

        context.Response.Headers[CountHeader] = exact ? "exact" : "estimate";
        await context.Response.WriteAsJsonAsync(new TokenCount { InputTokens = count }, MessagesJsonContext.Default.TokenCount, cancellationToken: context.RequestAborted);
    }

    /// <summary>Response header of count_tokens: <c>exact</c> (the model's tokenizer) or <c>estimate</c>.</summary>
    public const string CountHeader = "X-AbstractCore-Token-Count";

    private static async Task<(MessagesRequest Request, byte[] Body)> ReadAsync(HttpContext context)
    {
        using var body = await Requests.JsonBody.ReadAsync(context.Request, context.RequestAborted);
        var request = body.Bind(MessagesJsonContext.Default.MessagesRequest);
        ChatRequestReader.RequireModelWithoutKey(request.Model, request.Extra);
        return (request, body.Utf8.ToArray());
    }

    private async Task PassThroughAsync(HttpContext context, ChatRoute route, MessagesRequest request, byte[] body, string path)
    {
        var plan = await calls.PlanPassThroughAsync(context, route, MessagesTranslator.ForChecks(request, route.Model.Model));
        var upstreamBody = UpstreamChatBody.ForAnthropic(body, route.Model.Model);
        await calls.RunAsync(context, plan, (deadline, telemetry) => anthropic.SendAsync(context, plan, upstreamBody, path, telemetry, deadline.Token));
    }

    private async Task StreamAsync(
        HttpContext context, IAsyncEnumerable<ChatResponseUpdate> stream, ChatPlan plan, MessageAssembler assembler,
        CancellationTokenSource deadline, Telemetry.ChatCallTelemetry? telemetry)
    {
        await using var updates = stream.GetAsyncEnumerator(deadline.Token);
        var pipe = context.Response.BodyWriter;
        var aborted = context.RequestAborted;
        var waits = ping.Start();
        var started = false;
        void Begin()
        {
            // Headers go with the first event, so an upstream that refuses at once still gets its status; a slow one
            // gets them (and pings) once a ping interval has passed.
            EventStream.Begin(context);
            assembler.Start(pipe);
            started = true;
        }

        try
        {
            var more = await waits.NextAsync(updates, pipe, started, () =>
            {
                if (started)
                {
                    assembler.Ping();
                }
                else
                {
                    Begin(); // message_start and its ping
                }
            }, aborted);
            if (!more)
            {
                throw new GatewayException(502, $"Provider '{plan.Model.Provider}' returned an empty or unreadable stream.",
                    "upstream_error", code: "upstream_invalid_response");
            }

            if (!started)
            {
                Begin();
            }

            while (more)
            {
                telemetry?.Update(updates.Current);
                assembler.Add(updates.Current);
                more = await waits.NextAsync(updates, pipe, started: true, assembler.Ping, aborted);
            }
        }
        catch (Exception e) when (started && !aborted.IsCancellationRequested)
        {
            // Headers are gone: the failure travels in-band as Anthropic's error event.
            var failure = e is OperationCanceledException ? plan.TimeoutFailure(started: true) : UpstreamFailure.From(e, plan.Model.Provider);
            LogStreamFailure(logger, plan.Model.ToString(), failure.Message);
            telemetry?.Fail(failure);
            assembler.Fail(MessagesErrors.Map(failure.Status, failure.Headers?.GetValueOrDefault(UpstreamFailure.StatusHeader)).Type, failure.Message);
            await pipe.FlushAsync(aborted);
            return;
        }

        assembler.Finish();
        await pipe.FlushAsync(aborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Messages stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
