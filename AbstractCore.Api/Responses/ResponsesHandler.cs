using System.Text.Json;
using AbstractCore.Api.Chat;
using AbstractCore.Api.Hosting;
using AbstractCore.Api.Keys;
using AbstractCore.Attachments;
using AbstractCore.Chat;
using AbstractCore.Chat.AgentFormats;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Responses;
using AbstractCore.Pipeline;
using AbstractCore.Responses;
using AbstractCore.Routing;
using AbstractCore.Storage;
using AbstractCore.Upstream;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;

namespace AbstractCore.Api.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: the Responses request becomes the chat pipeline's messages and options, goes to the same
/// backend and <see cref="IChatClient"/>, and the answer (or stream of updates) is told back as a Responses object
/// (or its events). A body with <c>messages</c> and no <c>input</c> is served by the chat path.
/// </summary>
internal sealed partial class ResponsesHandler(
    ChatPlanner planner, ChatCalls calls, IResponseStore store, MessageAttachments attachments,
    ChatCompletionsHandler chat, ILogger<ResponsesHandler> logger)
{
    public async Task HandleAsync(HttpContext context, string? pathProvider = null)
    {
        var aborted = context.RequestAborted;
        ResponsesRequest request;
        byte[]? chatBody = null;
        using (var body = await Requests.JsonBody.ReadAsync(context.Request, aborted))
        {
            request = body.Bind(ResponsesJsonContext.Wire.ResponsesRequest);
            if (request.Input is null or { ValueKind: JsonValueKind.Null } && request.Messages is { ValueKind: not JsonValueKind.Null })
            {
                chatBody = body.Utf8.ToArray();
            }
        }

        if (chatBody is not null)
        {
            // A chat completions body sent to /v1/responses: the chat route reads it again.
            context.Request.Body = new MemoryStream(chatBody, writable: false);
            await chat.HandleAsync(context, pathProvider);
            return;
        }

        Validate(request);
        var route = planner.Route(context, request.Model!, pathProvider);

        // The conversation so far (from previous_response_id), then this request's input.
        var history = new List<ChatMessageDto>();
        if (!string.IsNullOrEmpty(request.PreviousResponseId))
        {
            var previous = await store.GetAsync(request.PreviousResponseId, aborted) ?? throw new GatewayException(404,
                $"Previous response with id '{request.PreviousResponseId}' not found.", "invalid_request_error", "previous_response_id",
                "previous_response_not_found");
            history.AddRange(previous.Conversation);
        }

        // Only this request's input: stored turns were resolved when they arrived.
        var input = ResponsesTranslator.Input(request.Input);
        await attachments.ResolveAsync(input, aborted);
        history.AddRange(input);
        var wire = new List<ChatMessageDto>(history.Count + 1);
        if (!string.IsNullOrWhiteSpace(request.Instructions))
        {
            wire.Add(new ChatMessageDto { Role = "system", Content = JsonSerializer.SerializeToElement(request.Instructions.Trim(), AbstractCore.OpenAI.Json.OpenAIJsonContext.Default.String) });
        }

        wire.AddRange(history);
        if (wire.Count == 0)
        {
            throw GatewayException.BadRequest("'input' must contain at least one message or item.", "input");
        }

        // One attempt per deployment when the model is an alias; the conversation above is read once.
        await calls.RouteAsync(context, route, attempt => RunAsync(context, request, attempt, history, wire));
    }

    private async Task RunAsync(HttpContext context, ResponsesRequest request, ChatRoute route, List<ChatMessageDto> history, List<ChatMessageDto> wire)
    {
        var aborted = context.RequestAborted;
        var model = route.Model;
        var chatRequest = ResponsesTranslator.ToChatRequest(request, model.Model, wire);
        ChatRequestRules.Validate(chatRequest);
        ResponsesTranslator.Tools(request.Tools, out var echoedTools);
        var messages = ChatMessageConverter.Convert(wire);
        var plan = await calls.PlanAsync(context, route, chatRequest, messages);
        var (format, toolsOffered) = (plan.Format, plan.ToolsOffered);
        var assembler = new ResponseAssembler(NewResponse(request, echoedTools, chatRequest), ResponsesTranslator.CustomToolNames(request.Tools));

        await calls.RunAsync(context, plan, async (deadline, telemetry) =>
        {
            if (request.Stream == true)
            {
                var upstream = new IdleDeadline(deadline, plan.IdleTimeout).Watch(plan.Client.GetStreamingResponseAsync(messages, plan.Options, deadline.Token));
                var updates = AgentFormatting.Apply(upstream, format, toolsOffered);
                await StreamAsync(context, updates, model, assembler, deadline, plan, () => SaveAsync(request, history, assembler, aborted),
                    telemetry);
            }
            else
            {
                var response = await plan.Client.GetResponseAsync(messages, plan.Options, deadline.Token);
                telemetry?.Response(response);
                AgentFormatting.Apply(response, format, toolsOffered);
                assembler.AddAll(response);
                if (!await SaveAsync(request, history, assembler, aborted))
                {
                    AddWarning(context.Response, NotStoredWarning);
                }

                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, assembler.Response, ResponsesJsonContext.Wire.ResponseObject, aborted);
            }
        });
    }

    public async Task<JsonHttpResult<ResponseObject>> GetAsync(string id, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(id, cancellationToken) ?? throw NotFound(id);
        return TypedResults.Json(stored.Response, ResponsesJsonContext.Wire.ResponseObject);
    }

    /// <summary>The stored request's input items, newest first unless <c>order=asc</c>, <c>limit</c> (1-100, default 20)
    /// at a time, starting after the item <c>after</c>. <c>limit</c> is bound as text so a bad value gets this
    /// gateway's error, not the framework's.</summary>
    public async Task<JsonHttpResult<InputItemList>> InputItemsAsync(
        string id, string? order, string? limit, string? after, CancellationToken cancellationToken)
    {
        order = order is { Length: > 0 } ? order : "desc";
        if (order is not ("asc" or "desc"))
        {
            throw GatewayException.BadRequest($"'order' must be 'asc' or 'desc', not '{order}'.", "order");
        }

        var count = 20;
        if (limit is { Length: > 0 } && (!int.TryParse(limit, out count) || count is < 1 or > 100))
        {
            throw GatewayException.BadRequest("'limit' must be an integer from 1 to 100.", "limit");
        }

        var stored = await store.GetAsync(id, cancellationToken) ?? throw NotFound(id);
        IEnumerable<JsonElement> items = order == "asc" ? stored.InputItems : stored.InputItems.Reverse();
        if (after is { Length: > 0 })
        {
            var rest = items.SkipWhile(i => ResponsesTranslator.Str(i, "id") != after).ToList();
            if (rest.Count == 0)
            {
                throw GatewayException.BadRequest($"No input item with id '{after}' in response '{id}'.", "after");
            }

            items = rest.Skip(1);
        }

        var page = items.Take(count + 1).ToList();
        var list = new InputItemList { Data = page.Take(count).ToList(), HasMore = page.Count > count };
        list.FirstId = list.Data.Count > 0 ? ResponsesTranslator.Str(list.Data[0], "id") : null;
        list.LastId = list.Data.Count > 0 ? ResponsesTranslator.Str(list.Data[^1], "id") : null;
        return TypedResults.Json(list, ResponsesJsonContext.Wire.InputItemList);
    }

    public async Task<JsonHttpResult<ResponseDeleted>> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await store.DeleteAsync(id, cancellationToken)
            ? TypedResults.Json(new ResponseDeleted { Id = id }, ResponsesJsonContext.Wire.ResponseDeleted)
            : throw NotFound(id);

    private static GatewayException NotFound(string id) =>
        new(404, $"Response with id '{id}' not found.", "invalid_request_error", "response_id", "not_found");

    private async Task StreamAsync(
        HttpContext context, IAsyncEnumerable<ChatResponseUpdate> stream, ModelRef model, ResponseAssembler assembler,
        CancellationTokenSource deadline, ChatPlan plan, Func<Task<bool>> save, Telemetry.ChatCallTelemetry? telemetry)
    {
        await using var updates = stream.GetAsyncEnumerator(deadline.Token);

        await EventStream.StartAsync(context, updates, model.Provider);
        var more = true;

        using var sse = new ResponsesSseWriter(context.Response.BodyWriter);
        var aborted = context.RequestAborted;
        async Task WriteAll(List<ResponseStreamEvent> events)
        {
            foreach (var e in events)
            {
                await sse.WriteAsync(e, aborted);
            }
        }

        await WriteAll(assembler.Start());
        try
        {
            while (more)
            {
                telemetry?.Update(updates.Current);
                await WriteAll(assembler.Add(updates.Current));
                more = await updates.MoveNextAsync();
            }
        }
        catch (Exception e) when (!aborted.IsCancellationRequested)
        {
            // Headers are gone: the failure travels in-band as response.failed.
            var failure = e is OperationCanceledException ? plan.TimeoutFailure(started: true) : UpstreamFailure.From(e, model.Provider);
            LogStreamFailure(logger, model.ToString(), failure.Message);
            telemetry?.Fail(failure);
            await sse.WriteAsync(assembler.Fail(failure.Code ?? "server_error", failure.Message), aborted);
            return;
        }

        var finish = assembler.Finish();
        var terminal = finish[^1];
        await WriteAll(finish[..^1]);
        await save(); // a failure is logged; the headers are gone, and the client still gets its completed stream
        await sse.WriteAsync(terminal, aborted);
    }

    /// <summary>
    /// Keeps the response (unless <c>store: false</c>) with the conversation it ended. False when the store failed:
    /// the upstream has answered by now, and losing that answer (and its cost) over a store outage would be worse
    /// than a response that later cannot be retrieved or continued.
    /// </summary>
    private async Task<bool> SaveAsync(ResponsesRequest request, List<ChatMessageDto> history, ResponseAssembler assembler, CancellationToken cancellationToken)
    {
        if (request.Store == false)
        {
            return true;
        }

        List<ChatMessageDto> conversation = [.. history, assembler.ToChatMessage()];
        var stored = new StoredResponse(assembler.Response, conversation) { InputItems = InputItems.From(request.Input) };
        try
        {
            await store.SaveAsync(stored, cancellationToken);
            return true;
        }
        catch (Exception e) when (StoreUnavailable.Is(e))
        {
            LogNotStored(logger, stored.Response.Id, StoreUnavailable.Describe(e));
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(logger, e, stored.Response.Id);
            return false;
        }
    }

    private const string NotStoredWarning = "response not stored: the response store is unavailable";

    private static void AddWarning(HttpResponse response, string warning)
    {
        var existing = response.Headers[ChatPlan.WarningHeader].ToString();
        response.Headers[ChatPlan.WarningHeader] = existing.Length == 0 ? warning : existing + "; " + warning;
    }

    /// <summary>The response object echoing the request; its tool choice and prompt-cache key as planned (a binding's key wins).</summary>
    private static ResponseObject NewResponse(ResponsesRequest r, List<JsonElement> tools, ChatCompletionRequest planned) => new()
    {
        Id = ResponseAssembler.NewId("resp_"),
        CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        Model = r.Model!,
        Instructions = string.IsNullOrWhiteSpace(r.Instructions) ? null : r.Instructions,
        MaxOutputTokens = r.MaxOutputTokens ?? r.MaxTokens,
        ParallelToolCalls = r.ParallelToolCalls ?? true,
        PreviousResponseId = r.PreviousResponseId,
        Reasoning = r.Reasoning is { ValueKind: JsonValueKind.Object } reasoning ? reasoning.Clone() : null,
        Store = r.Store ?? true,
        Temperature = r.Temperature,
        Text = r.Text is { ValueKind: JsonValueKind.Object } text ? text.Clone() : Element("""{"format":{"type":"text"}}"""),
        ToolChoice = EchoToolChoice(r.ToolChoice, planned.ToolChoice),
        Tools = tools,
        TopP = r.TopP,
        Truncation = r.Truncation is { ValueKind: JsonValueKind.String } t ? t.GetString()! : "disabled",
        User = r.User,
        PromptCacheKey = planned.Extra?.TryGetValue("prompt_cache_key", out var k) == true && k.ValueKind == JsonValueKind.String ? k.GetString() : null,
        Metadata = r.Metadata is { ValueKind: JsonValueKind.Object } m ? m.Clone() : Element("{}"),
    };

    /// <summary>The Responses shape of the tool choice: a string, or <c>{type: function, name}</c>.</summary>
    private static JsonElement EchoToolChoice(JsonElement? original, JsonElement? chat)
    {
        if (chat is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("function", out var f) && f.TryGetProperty("name", out var n))
        {
            var type = original is { ValueKind: JsonValueKind.Object } orig && ResponsesTranslator.Str(orig, "type") is { } t && t != "function" ? t : null;
            return type is not null && type != "custom"
                ? Element($$"""{"type":{{JsonSerializer.Serialize(type, AbstractCore.OpenAI.Json.OpenAIJsonContext.Default.String)}}}""")
                : Element($$"""{"type":"{{type ?? "function"}}","name":{{n.GetRawText()}}}""");
        }

        return chat is { ValueKind: JsonValueKind.String } s ? s.Clone() : Element("\"auto\"");
    }

    private static JsonElement Element(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static void Validate(ResponsesRequest request)
    {
        Chat.ChatRequestReader.RequireModelWithoutKey(request.Model, request.Extra);
        ResponsesRequestRules.Validate(request);

        if (request.Input is null or { ValueKind: JsonValueKind.Null })
        {
            throw GatewayException.BadRequest(
                "'input' is required: a string or an array of input items (or 'messages' for the chat completions format).", "input");
        }
    }


    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {Id} was answered but not stored: Redis did not answer ({Reason}). " +
        "Check that the Redis of ConnectionStrings:cache is running; the client cannot retrieve or continue this response.")]
    private static partial void LogNotStored(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Response {Id} was answered but storing it failed; this is a gateway bug, please report it")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response stream for {Model} broke after it started: {Message}")]
    private static partial void LogStreamFailure(ILogger logger, string model, string message);
}
