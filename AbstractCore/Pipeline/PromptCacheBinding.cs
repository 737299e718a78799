using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using AbstractCore.Providers;

namespace AbstractCore.Pipeline;

/// <summary>
/// <c>prompt_cache_binding</c> (the object <c>/acore/blocs/kv/load</c> returns): the exact KV artifact a chat must run on.
/// A string is its <c>binding_id</c>; anything else but an object is a 400, as is a <c>key</c> other than
/// <c>prompt_cache_key</c>; the binding's key becomes the prompt-cache key. Only a runtime that can verify the binding
/// before generating gets it: the local inference service (<c>onnx</c>), which answers a missing or stale binding with a
/// 409 the client receives as it is. There is no provider for an upstream AbstractCore server yet (an
/// <c>openai-compatible</c> base_url may be anything), so every other provider is refused before anything is sent,
/// rather than generating on a cache the client did not ask for.
/// </summary>
internal static class PromptCacheBinding
{
    public const string Field = "prompt_cache_binding";
    public const string KeyField = "prompt_cache_key";
    public const string InvalidCode = "prompt_cache_binding_invalid";
    public const string KeyMismatchCode = "prompt_cache_binding_key_mismatch";
    public const string UnsupportedCode = "prompt_cache_binding_unsupported";

    /// <summary>
    /// Checks the request's binding and, when it has one, puts the normalised binding and its key into
    /// <see cref="ChatCompletionRequest.Extra"/> (what the translating lane forwards) and returns them as fields for a
    /// relayed body. Without a binding: nothing done, nothing allocated.
    /// </summary>
    public static IReadOnlyList<(string Name, string Json)> Apply(ProviderDescriptor provider, ChatCompletionRequest request)
    {
        if (request.Extra is not { } extra || !extra.TryGetValue(Field, out var given) || given.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        var binding = given.ValueKind switch
        {
            JsonValueKind.String => new JsonObject { ["binding_id"] = given.GetString() },
            JsonValueKind.Object => JsonObject.Create(given.Clone())!,
            _ => throw Invalid(),
        };
        var key = binding["key"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s.Trim(),
            _ => throw Invalid(),
        };
        var requestKey = extra.TryGetValue(KeyField, out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()!.Trim() : null;
        if (!string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(requestKey) && key != requestKey)
        {
            throw GatewayException.BadRequest("prompt_cache_key and prompt_cache_binding.key must match.", Field, KeyMismatchCode);
        }

        if (!provider.Name.Equals("onnx", StringComparison.OrdinalIgnoreCase))
        {
            throw GatewayException.BadRequest(
                $"Provider '{provider.Name}' cannot honour prompt_cache_binding: only the local inference runtime (onnx/<model>) verifies a " +
                "bloc KV binding before generating. Send it with the onnx model the binding was loaded into, or leave it out.",
                Field, UnsupportedCode);
        }

        key = string.IsNullOrEmpty(key) ? requestKey : key;
        List<(string Name, string Json)> fields = [];
        if (!string.IsNullOrEmpty(key))
        {
            binding["key"] = key;
            var quoted = JsonSerializer.Serialize(key, OpenAIJsonContext.Default.String);
            extra[KeyField] = JsonElement.Parse(quoted);
            fields.Add((KeyField, quoted));
        }

        var json = binding.ToJsonString();
        extra[Field] = JsonElement.Parse(json);
        fields.Add((Field, json));
        return fields;
    }

    private static GatewayException Invalid() =>
        GatewayException.BadRequest("prompt_cache_binding must be an object or binding_id string.", Field, InvalidCode);
}
