using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// An <see cref="IChatClient"/> over Semantic Kernel's <see cref="AzureOpenAIChatCompletionService"/>, one service per
/// deployment (<see cref="ChatOptions.ModelId"/>) on the endpoint's Azure client. The connector's own
/// <see cref="IChatCompletionService"/> calls are used, not its <see cref="IChatClient"/> adapter: the adapter's stream
/// drops the argument fragments its service yields (and its request mapping drops tool declarations), while this client
/// passes each fragment on as it arrives (<see cref="AzureStreamTranslator"/>). The request's settings come from
/// <see cref="AzureBackend.Prepare"/> through <see cref="ChatOptions.RawRepresentationFactory"/>. No kernel is passed, so
/// the connector never invokes a tool itself. Failures leave as <see cref="Upstream.UpstreamHttpException"/>
/// (<see cref="AzureFailures"/>).
/// </summary>
internal sealed class AzureChatClient(AzureOpenAIClient client, ProviderEndpoint endpoint) : IChatClient
{
    private const int MaxCachedDeployments = 256;
    private readonly ConcurrentDictionary<string, AzureOpenAIChatCompletionService> _services = new(StringComparer.Ordinal);
    private readonly ChatClientMetadata _metadata = new("azure", endpoint.BaseUrl);

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (service, settings) = Prepare(options);
        var history = AzureChatHistory.From(messages, options?.Instructions);
        IReadOnlyList<Microsoft.SemanticKernel.ChatMessageContent> answers;
        try
        {
            answers = await service.GetChatMessageContentsAsync(history, settings, kernel: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AzureFailures.Translate(e) is { } failure)
        {
            throw failure;
        }

        return AzureAnswers.ToChatResponse(answers[0]);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (service, settings) = Prepare(options);
        var history = AzureChatHistory.From(messages, options?.Instructions);
        var translator = new AzureStreamTranslator();
        var contents = service.GetStreamingChatMessageContentsAsync(history, settings, kernel: null, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (contents.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await contents.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e) when (AzureFailures.Translate(e) is { } failure)
                {
                    throw failure;
                }

                yield return translator.Translate(contents.Current);
            }
        }

        if (translator.Finish() is { } last)
        {
            yield return last;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The Azure client and its HttpClient are shared.
    }

    private (AzureOpenAIChatCompletionService Service, AzureOpenAIPromptExecutionSettings Settings) Prepare(ChatOptions? options)
    {
        var deployment = options?.ModelId is { Length: > 0 } id
            ? id
            : throw new ArgumentException("Azure needs a deployment: set ChatOptions.ModelId.", nameof(options));
        var settings = options.RawRepresentationFactory?.Invoke(this) as AzureOpenAIPromptExecutionSettings ?? new AzureOpenAIPromptExecutionSettings();
        if (_services.Count >= MaxCachedDeployments)
        {
            _services.Clear();
        }

        return (_services.GetOrAdd(deployment, static (name, azure) => new AzureOpenAIChatCompletionService(name, azure), client), settings);
    }
}
