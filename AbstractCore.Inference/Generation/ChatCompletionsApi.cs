using System.Text.Json;
using AbstractCore.Inference.Blocs;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.Residency;
using AbstractCore.Inference.Scheduling;
using AbstractCore.Inference.Telemetry;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;

namespace AbstractCore.Inference.Generation;

/// <summary><c>POST /v1/chat/completions</c>: validate, load the model if needed, render the chat template,
/// wait for a slot, generate (plain or streamed).</summary>
internal static class ChatCompletionsApi
{
    public static IEndpointRouteBuilder MapChatCompletions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", HandleAsync).WithName("ChatCompletions");
        return endpoints;
    }

    private static async Task HandleAsync(
        HttpContext context, ModelCatalog catalog, ModelResidency residency, Scheduler scheduler, InferenceSettings settings, StreamClock clock,
        InferenceTelemetry telemetry)
    {
        var request = await ReadAsync(context.Request, context.RequestAborted);
        using var generation = telemetry.Start(request);
        try
        {
            await GenerateAsync(context, request, catalog, residency, scheduler, settings, clock, generation);
        }
        catch (Exception e) when (GenerationTelemetry.Record(generation, e))
        {
            throw; // never reached: the filter records and lets the exception pass
        }
    }

    private static async Task GenerateAsync(
        HttpContext context, ChatCompletionRequest request, ModelCatalog catalog, ModelResidency residency, Scheduler scheduler,
        InferenceSettings settings, StreamClock clock, GenerationTelemetry? generation)
    {
        var aborted = context.RequestAborted;
        var folder = catalog.Find(request.Model) ?? throw InferenceException.ModelNotFound(request.Model);
        var input = ChatInput.From(request);

        using var lease = await residency.AcquireAsync(folder, aborted);
        var resident = lease.Resident;
        if (input.BindingId is { } bindingId)
        {
            // Before any token and before a stream's headers: a bound chat never runs on KV state it did not ask for.
            PromptCacheBindingCheck.Verify(resident, input.CacheKey ?? resident.PromptCache.DefaultKey, bindingId);
        }

        ChatTemplate.RefuseUnrenderedTools(resident.Model, input.ToolsJson);
        var prompt = Tokenize(resident.Model, input);
        var contextLength = folder.ContextLength;
        if (prompt.Length >= contextLength)
        {
            throw InferenceException.BadRequest(
                $"The prompt is {prompt.Length} tokens; the model's context length is {contextLength}.", "messages", "context_length_exceeded");
        }

        var maxTokens = Math.Min(input.MaxTokens ?? settings.DefaultMaxTokens, contextLength - prompt.Length);
        var plan = new GenerationPlan(prompt, maxTokens, input.Stop, input.Sampling, input.CacheKey ?? resident.PromptCache.DefaultKey);

        generation?.WaitingForSlot();
        using var slot = await scheduler.For(folder.Name).EnterAsync(aborted);
        generation?.GotSlot();
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = ModelCatalog.Normalize(request.Model)!;
        if (input.Stream)
        {
            await ChatStream.WriteAsync(context, resident, plan, input.IncludeUsage, id, created, model, clock, generation);
            return;
        }

        var result = await TokenLoop.Start(() => TokenLoop.Run(resident.Model, resident.PromptCache, plan, null, aborted));
        generation?.Result(result, id, model);
        aborted.ThrowIfCancellationRequested();
        var completion = new ChatCompletion
        {
            Id = id,
            Created = created,
            Model = model,
            Choices = [new ChatChoice { Index = 0, Message = new AssistantMessage { Content = result.Text }, FinishReason = result.FinishReason }],
            Usage = Usage(result),
        };
        await context.Response.WriteAsJsonAsync(completion, OpenAIJsonContext.Wire.ChatCompletion, cancellationToken: aborted);
    }

    public static Usage Usage(GenerationResult result) => new()
    {
        PromptTokens = result.PromptTokens,
        CompletionTokens = result.CompletionTokens,
        TotalTokens = result.PromptTokens + result.CompletionTokens,
        PromptTokensDetails = new PromptTokensDetails { CachedTokens = result.CachedTokens },
    };

    private static async Task<ChatCompletionRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, OpenAIJsonContext.Default.ChatCompletionRequest, cancellationToken)
                ?? throw InferenceException.BadRequest("The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw InferenceException.BadRequest($"The body is not a valid chat completion request: {e.Message}", e.Path);
        }
    }

    private static int[] Tokenize(LoadedModel model, ChatInput input) =>
        model.Encode(ChatTemplate.Render(model, input.MessagesJson, input.ToolsJson, addGenerationPrompt: true));
}
