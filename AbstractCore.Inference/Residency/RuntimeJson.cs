using System.Text.Json.Nodes;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.PromptCache;

namespace AbstractCore.Inference.Residency;

/// <summary>The residency contract's runtime object for a local ONNX model (its loaded state is verified: it is this process's memory).</summary>
internal static class RuntimeJson
{
    public static JsonObject For(ResidentModel resident, bool loaded) => new()
    {
        ["runtime_id"] = resident.RuntimeId,
        ["provider"] = ModelCatalog.Provider,
        ["model"] = resident.Name,
        ["base_url"] = null,
        ["uses_explicit_provider_key"] = false,
        ["resolved_model_id"] = resident.Name,
        ["created_at"] = resident.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
        ["last_used_at"] = resident.LastUsedAt.ToUnixTimeMilliseconds() / 1000.0,
        ["request_count"] = resident.RequestCount,
        ["supports_prompt_cache"] = true,
        ["task"] = "text_generation",
        ["state"] = loaded ? "provider_loaded" : "unloaded",
        ["loaded"] = loaded,
        ["runtime_cached"] = loaded,
        ["cache_state"] = loaded ? "gateway_runtime_cached" : "unloaded",
        ["locked"] = resident.Locked,
        ["pinned"] = resident.Pinned,
        ["lockable"] = true,
        ["ttl_s"] = resident.IdleTtl?.TotalSeconds,
        ["isolation"] = "in_process",
        ["health"] = "ok",
        ["error"] = null,
        ["provider_residency_verified"] = true,
        ["provider_resident"] = loaded,
        ["context_length"] = resident.Model.Folder.ContextLength,
        ["model_type"] = resident.Model.Folder.ModelType,
        ["prompt_cache_keys"] = loaded ? resident.PromptCache.Stats().Keys : 0,
    };

    public static JsonObject Capabilities(ResidentModel resident, InferenceSettings settings) => new()
    {
        ["provider"] = ModelCatalog.Provider,
        ["model"] = resident.Name,
        ["runtime_id"] = resident.RuntimeId,
        ["supported"] = true,
        ["backend"] = "onnxruntime-genai",
        ["kv_prefix_reuse"] = true,
        ["operations"] = new JsonArray("capabilities", "stats", "set", "update", "fork", "clear", "prepare_modules"),
        ["eviction"] = "lru",
        ["memory_budget_bytes"] = settings.PromptCacheBudgetBytes,
        ["default_ttl_s"] = settings.PromptCacheTtl.TotalSeconds,
        ["kv_bytes_per_token"] = resident.Model.Folder.KvBytesPerToken,
    };

    public static JsonObject Stats(PromptCacheStats stats) => new()
    {
        ["keys"] = stats.Keys,
        ["bytes"] = stats.Bytes,
        ["budget_bytes"] = stats.BudgetBytes,
        ["hits"] = stats.Hits,
        ["misses"] = stats.Misses,
        ["reused_tokens"] = stats.ReusedTokens,
        ["evictions"] = stats.Evictions,
        ["expirations"] = stats.Expirations,
        ["default_key"] = stats.DefaultKey,
        ["entries"] = new JsonArray(stats.Entries.Select(e => (JsonNode)new JsonObject
        {
            ["key"] = e.Key,
            ["tokens"] = e.Tokens,
            ["bytes"] = e.Bytes,
            ["busy"] = e.Busy,
            ["expires_in_s"] = Math.Round(e.ExpiresInSeconds, 3),
            ["binding_id"] = e.BindingId,
        }).ToArray()),
    };
}
