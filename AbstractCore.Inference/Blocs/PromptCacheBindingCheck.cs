using System.Text.Json;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Residency;

namespace AbstractCore.Inference.Blocs;

/// <summary>
/// <c>prompt_cache_binding</c> on a chat: before any token (and before a stream's headers) the key must be live on this
/// runtime and hold exactly the artifact the binding names. A string means <c>{"binding_id": s}</c>; the binding's key
/// is the prompt-cache key. Missing key: 409 <c>prompt_cache_binding_missing</c>; another artifact, a stale one or one
/// loaded by another runtime: 409 <c>prompt_cache_binding_mismatch</c>.
/// </summary>
internal static class PromptCacheBindingCheck
{
    public const string Field = "prompt_cache_binding";

    /// <summary>The binding's key and id, or null when the request has none. Shape errors are 400s.</summary>
    public static (string? Key, string BindingId)? Read(JsonElement? binding, string? promptCacheKey)
    {
        switch (binding)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                return null;
            case { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()):
                return (promptCacheKey, s.GetString()!.Trim());
            case { ValueKind: JsonValueKind.Object } o:
                var id = o.TryGetProperty("binding_id", out var b) && b.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(b.GetString())
                    ? b.GetString()!.Trim()
                    : throw InferenceException.BadRequest("prompt_cache_binding.binding_id is required.", Field, "prompt_cache_binding_invalid");
                var key = o.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(k.GetString())
                    ? k.GetString()!.Trim()
                    : null;
                if (key is not null && promptCacheKey is not null && key != promptCacheKey)
                {
                    throw InferenceException.BadRequest("prompt_cache_key and prompt_cache_binding.key must match.", Field, "prompt_cache_binding_key_mismatch");
                }

                return (key ?? promptCacheKey, id);
            default:
                throw InferenceException.BadRequest("prompt_cache_binding must be an object or binding_id string.", Field, "prompt_cache_binding_invalid");
        }
    }

    public static void Verify(ResidentModel resident, string? key, string bindingId)
    {
        if (key is null)
        {
            throw Conflict("prompt_cache_binding needs a prompt-cache key (prompt_cache_binding.key or prompt_cache_key).", "prompt_cache_binding_missing");
        }

        var (live, held) = resident.PromptCache.BindingOf(key);
        if (!live)
        {
            throw Conflict(
                $"Prompt cache key '{key}' is not live on runtime {resident.RuntimeId} ('{resident.Name}'): load the bloc again with /acore/blocs/kv/load.",
                "prompt_cache_binding_missing");
        }

        if (held is null)
        {
            throw Conflict($"Prompt cache key '{key}' holds no bloc KV artifact (binding {bindingId} expected).", "prompt_cache_binding_mismatch");
        }

        if (held.BindingId != bindingId)
        {
            throw Conflict(
                $"Prompt cache key '{key}' holds bloc KV binding {held.BindingId}, not {bindingId}: another artifact, a rebuilt one, or a binding of another runtime.",
                "prompt_cache_binding_mismatch");
        }

        if (held.ModelFingerprint != resident.Fingerprint.Id)
        {
            throw Conflict($"The bloc KV artifact bound to '{key}' is stale for runtime {resident.RuntimeId}.", "prompt_cache_binding_mismatch");
        }
    }

    private static InferenceException Conflict(string message, string code) => new(409, message, "invalid_request_error", Field, code);
}
