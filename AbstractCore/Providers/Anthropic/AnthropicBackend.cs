using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Models;
using Microsoft.Extensions.AI;

namespace AbstractCore.Providers.Anthropic;

/// <summary>
/// Anthropic's native Messages API. <see cref="Prepare"/> turns the OpenAI request into options Anthropic accepts,
/// degrading with a warning what it cannot take: <c>seed</c>, penalties, <c>logprobs</c> and <c>n</c> are dropped,
/// <c>temperature</c> above 1 is clamped, and with thinking on <c>temperature</c>/<c>top_k</c> (and <c>top_p</c>
/// below 0.95) are dropped and <c>max_tokens</c> is raised above the budget. Thinking is turned off (with a
/// warning) where Anthropic would refuse it: a forced tool choice, or a tool-result turn whose earlier thinking
/// blocks (and their signatures) an OpenAI client cannot send back.
/// </summary>
public sealed class AnthropicBackend(UpstreamHttp http) : IChatBackend
{
    private readonly EndpointClients<AnthropicChatClient> _clients = new(endpoint => new AnthropicChatClient(http.For(endpoint), endpoint));

    public ProviderProtocol Protocol => ProviderProtocol.Anthropic;

    public IChatClient GetClient(ProviderEndpoint endpoint) => _clients.Get(endpoint);

    public ChatOptions Prepare(ChatCompletionRequest request, string model, IList<ChatMessage> messages, ICollection<string> warnings)
    {
        var options = ChatOptionsMapper.Map(request, model);

        if (options.Seed is not null)
        {
            warnings.Add("seed is not supported by Anthropic and was ignored");
            options.Seed = null;
        }

        if (options.PresencePenalty is not null || options.FrequencyPenalty is not null)
        {
            warnings.Add("presence_penalty and frequency_penalty are not supported by Anthropic and were ignored");
            options.PresencePenalty = options.FrequencyPenalty = null;
        }

        if (request.Logprobs == true)
        {
            warnings.Add("logprobs are not available from Anthropic");
        }

        if (request.Extra?.TryGetValue("n", out var n) == true && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var count) && count > 1)
        {
            warnings.Add("n > 1 is not supported by Anthropic: one choice is returned");
        }

        if (request.Extra?.TryGetValue("top_k", out var topK) == true && topK.ValueKind == JsonValueKind.Number && topK.TryGetInt32(out var k))
        {
            options.TopK = k;
        }

        if (options.Temperature > 1)
        {
            warnings.Add($"temperature {options.Temperature} is above Anthropic's maximum of 1 and was sent as 1");
            options.Temperature = 1;
        }

        if (!string.IsNullOrEmpty(request.User))
        {
            (options.AdditionalProperties ??= [])[AnthropicRequestFactory.UserIdKey] = request.User;
        }

        var budget = Budget(Thinking.From(request));
        if (budget is not null && options.ToolMode is RequiredChatToolMode)
        {
            warnings.Add("thinking was turned off: Anthropic does not allow it with a forced tool_choice");
            budget = null;
        }

        if (budget is not null && InToolLoop(messages))
        {
            warnings.Add("thinking was turned off for this tool-result turn: Anthropic needs the signed thinking blocks of the " +
                         "previous assistant turn, which OpenAI-format messages cannot carry");
            budget = null;
        }

        if (budget is { } b)
        {
            (options.AdditionalProperties ??= [])[AnthropicRequestFactory.ThinkingBudgetKey] = b;
            if (options.Temperature is not null)
            {
                warnings.Add("temperature was ignored: Anthropic does not allow it with thinking on");
                options.Temperature = null;
            }

            if (options.TopK is not null)
            {
                warnings.Add("top_k was ignored: Anthropic does not allow it with thinking on");
                options.TopK = null;
            }

            if (options.TopP < 0.95f)
            {
                warnings.Add("top_p was ignored: Anthropic allows only 0.95 to 1 with thinking on");
                options.TopP = null;
            }

            if (options.MaxOutputTokens is { } max && max <= b)
            {
                warnings.Add($"max_tokens {max} does not leave room above the thinking budget of {b} tokens: sent as {b + max}");
                options.MaxOutputTokens = b + max;
            }
        }

        options.MaxOutputTokens ??= (budget ?? 0) + AnthropicRequestFactory.DefaultMaxTokens;

        var (schemaTool, instruction) = AnthropicRequestFactory.PlanStructuredOutput(options, budget);
        if (schemaTool is null && instruction is not null && options.ResponseFormat is ChatResponseFormatJson { Schema: not null })
        {
            warnings.Add("response_format json_schema was sent to Anthropic as an instruction (with tools, thinking, or a " +
                         "non-object schema a forced tool cannot be used), so the schema is not enforced");
        }

        return options;
    }

    public Task<List<ModelInfo>> ListModelsAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken) =>
        _clients.Get(endpoint).ListModelsAsync(cancellationToken);

    /// <summary>Thinking budgets in tokens (Anthropic's minimum is 1024).</summary>
    public static int? Budget(ThinkingMode mode) => mode switch
    {
        ThinkingMode.Low => 1024,
        ThinkingMode.Medium => 4096,
        ThinkingMode.On => 8192,
        ThinkingMode.High => 16384,
        ThinkingMode.XHigh => 32000,
        _ => null, // Default and Off: Anthropic thinks only when asked
    };

    /// <summary>True when the conversation ends with tool results answering the last assistant turn.</summary>
    private static bool InToolLoop(IList<ChatMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            if (message.Role == ChatRole.Assistant)
            {
                return false;
            }

            if (message.Role == ChatRole.Tool || message.Contents.OfType<FunctionResultContent>().Any())
            {
                return true;
            }
        }

        return false;
    }
}
