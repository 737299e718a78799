using System.ClientModel.Primitives;
using System.Text.Json;

namespace AbstractCore.Providers.OpenAICompatible;

/// <summary>
/// Microsoft.Extensions.AI does not carry token log probabilities, so when a client asked for them they are
/// read back from the OpenAI SDK object the answer was parsed into (<c>choices[0].logprobs</c>).
/// </summary>
internal static class RawLogprobs
{
    public static JsonElement? From(object? raw)
    {
        BinaryData? json = raw switch
        {
            global::OpenAI.Chat.ChatCompletion c => ModelReaderWriter.Write(c),
            global::OpenAI.Chat.StreamingChatCompletionUpdate u => ModelReaderWriter.Write(u),
            _ => null,
        };
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array &&
               choices.GetArrayLength() > 0 && choices[0].TryGetProperty("logprobs", out var logprobs) &&
               logprobs.ValueKind == JsonValueKind.Object
            ? logprobs.Clone()
            : null;
    }
}
