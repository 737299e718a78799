using System.Text.Json;
using AbstractCore.Api.Hosting;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace AbstractCore.Api.Docs;

/// <summary>
/// Request examples (and summaries) for the <c>/acore</c> control-plane routes, which read their JSON body themselves
/// and so declare none. Kept here, keyed by route, so the docs can send them without the routes knowing about docs.
/// </summary>
internal static class ControlPlaneExamples
{
    private static readonly Dictionary<string, (string Summary, RequestExample? Example)> Routes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST acore/models/load"] = ("Load a model into its runtime (onnx/* in the local Inference service)", Json("""
            {"provider": "onnx", "model": "tiny-chat", "pin": true}
            """)),
        ["GET acore/models/loaded"] = ("List the models resident in their runtimes (query: provider, model)", null),
        ["POST acore/models/unload"] = ("Unload a model from its runtime", Json("""
            {"provider": "onnx", "model": "tiny-chat"}
            """)),
        ["GET acore/prompt_cache/capabilities"] = ("Prompt cache capabilities of a runtime (query: provider, model or base_url)", null),
        ["GET acore/prompt_cache/stats"] = ("Prompt cache keys and sizes of a runtime", null),
        ["POST acore/prompt_cache/set"] = ("Create a prompt cache key (optionally the default one)", Json("""
            {"provider": "onnx", "model": "tiny-chat", "key": "session-1", "make_default": true, "ttl_s": 600}
            """)),
        ["POST acore/prompt_cache/update"] = ("Prefill a prompt cache key with messages", Json("""
            {"provider": "onnx", "model": "tiny-chat", "key": "session-1",
             "messages": [{"role": "system", "content": "You are a concise assistant."}]}
            """)),
        ["POST acore/prompt_cache/fork"] = ("Copy a prompt cache key's state into a new key", Json("""
            {"provider": "onnx", "model": "tiny-chat", "from_key": "session-1", "to_key": "session-2", "make_default": false}
            """)),
        ["POST acore/prompt_cache/clear"] = ("Clear one prompt cache key, or all keys when none is named", Json("""
            {"provider": "onnx", "model": "tiny-chat", "key": "session-2"}
            """)),
        ["POST acore/prompt_cache/prepare_modules"] = ("Prefill reusable prompt modules into keys namespace:module_id", Json("""
            {"provider": "onnx", "model": "tiny-chat", "namespace": "docs", "make_default": false,
             "modules": [{"module_id": "persona", "system_prompt": "You are a concise assistant."}]}
            """)),
        ["POST acore/keys"] = ("Create a virtual key (its secret is shown once, in this answer)", Json("""
            {"name": "billing-app", "owner": "team-billing", "models": ["openai/*", "fast"], "rpm": 600, "tpm": 200000,
             "max_parallel": 16, "budget_usd": 50, "budget_period": "monthly", "expires_at": "2027-12-31T00:00:00Z"}
            """)),
        ["PATCH acore/keys/{id}"] = ("Change a virtual key's limits, budget, expiry or state (null removes a limit)", Json("""
            {"owner": "team-billing", "rpm": 1200, "budget_usd": null, "disabled": false}
            """)),
        ["POST acore/blocs/upsert_text"] = ("Store a bloc: extracted text with its path and metadata (or upstream, with base_url)", Json("""
            {"path": "docs/orbit.md", "content": "The orbit of the station is 400 km high.", "format": "markdown",
             "summary": "Station orbit", "keywords": ["orbit", "station"]}
            """)),
        ["GET acore/blocs"] = ("List bloc records (query: sha256, bloc_id, base_url)", null),
        ["GET acore/blocs/record"] = ("Inspect one bloc record (query: sha256 or bloc_id, base_url)", null),
        ["POST acore/blocs/delete"] = ("Delete a bloc and its KV artifacts (409 while one is loaded in a live key, unless clear_loaded or force)", Json("""
            {"sha256": "abababababababababababababababababababababababababababababababab", "delete_kv": true, "dry_run": true}
            """)),
        ["GET acore/blocs/kv/manifest"] = ("Inspect a bloc's KV artifact manifest (query: provider, model or runtime_id, sha256 or bloc_id, artifact_path)", null),
        ["GET acore/blocs/kv/list"] = ("List bloc KV artifacts (query: provider, model, sha256, bloc_id)", null),
        ["POST acore/blocs/kv/ensure"] = ("Compile a bloc's text into a durable KV artifact for a model (rebuilt when stale)", Json("""
            {"provider": "onnx", "model": "tiny-chat", "bloc_id": 1, "force_rebuild": false, "debug": false}
            """)),
        ["POST acore/blocs/kv/load"] = ("Load a bloc's KV artifact into a prompt-cache key; answers the prompt_cache_binding for chat", Json("""
            {"provider": "onnx", "model": "tiny-chat", "bloc_id": 1, "stable_cache_key": "stable:orbit", "key": "work:orbit", "make_default": false}
            """)),
        ["POST acore/blocs/kv/delete"] = ("Delete one bloc KV artifact (409 while loaded in a live key, unless clear_loaded or force)", Json("""
            {"provider": "onnx", "model": "tiny-chat", "bloc_id": 1, "clear_loaded": false, "force": false, "dry_run": true}
            """)),
        ["POST acore/blocs/kv/prune"] = ("Delete the bloc KV artifacts matching a filter (model, sha256, bloc_id)", Json("""
            {"provider": "onnx", "model": "tiny-chat", "dry_run": true}
            """)),
    };

    public static (string Summary, RequestExample? Example)? For(ApiDescription description) =>
        Routes.TryGetValue($"{description.HttpMethod} {description.RelativePath}", out var entry) ? entry : null;

    private static RequestExample Json(string json) => new(typeof(JsonElement), json);
}
