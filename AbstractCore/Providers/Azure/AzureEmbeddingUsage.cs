using System.ClientModel.Primitives;
using System.Text.Json;

namespace AbstractCore.Providers.Azure;

/// <summary>
/// The token usage of an embeddings call, which the connector's embedding service does not hand back (it returns the
/// vectors only) while Azure's answer carries it and the gateway bills by it. A call that wants it opens a
/// <see cref="Capture"/>; this policy, on every Azure client, reads <c>usage.prompt_tokens</c> from the (buffered) answer of
/// a call made inside one. Calls outside a capture (chat) cost nothing.
/// </summary>
internal sealed class AzureEmbeddingUsage : PipelinePolicy
{
    private static readonly AsyncLocal<Capture?> Current = new();

    public static readonly AzureEmbeddingUsage Instance = new();

    /// <summary>Starts capturing for the calls the current async flow makes from here on.</summary>
    public static Capture Start() => Current.Value = new Capture();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Read(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        Read(message);
    }

    private static void Read(PipelineMessage message)
    {
        if (Current.Value is not { } capture || message.Response is not { IsError: false } response)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(response.Content);
            if (doc.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object &&
                usage.TryGetProperty("prompt_tokens", out var tokens) && tokens.TryGetInt64(out var count))
            {
                capture.PromptTokens = count;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or not buffered: the gateway estimates instead.
        }
    }

    public sealed class Capture
    {
        public long? PromptTokens { get; set; }
    }
}
