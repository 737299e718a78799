using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>
/// Token log probabilities travel beside an answer or an update as <c>AdditionalProperties["logprobs"]</c> (OpenAI's
/// <c>choices[0].logprobs</c> object): Microsoft.Extensions.AI has no type for them, so the provider that reads them
/// puts them there and the mappers take them from there, without knowing any provider's own types.
/// </summary>
internal static class Logprobs
{
    public const string Key = "logprobs";

    public static JsonElement? Of(AdditionalPropertiesDictionary? properties) =>
        properties is not null && properties.TryGetValue(Key, out var value) && value is JsonElement logprobs ? logprobs : null;

    /// <summary>The properties with the log probabilities added (created when there were none); unchanged for null.</summary>
    public static AdditionalPropertiesDictionary? With(AdditionalPropertiesDictionary? properties, JsonElement? logprobs)
    {
        if (logprobs is { } value)
        {
            (properties ??= [])[Key] = value;
        }

        return properties;
    }
}
