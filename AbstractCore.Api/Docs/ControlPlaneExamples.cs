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
    };

    public static (string Summary, RequestExample? Example)? For(ApiDescription description) =>
        Routes.TryGetValue($"{description.HttpMethod} {description.RelativePath}", out var entry) ? entry : null;

    private static RequestExample Json(string json) => new(typeof(JsonElement), json);
}
