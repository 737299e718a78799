namespace AbstractCore.Api.Tests.Routes;

/// <summary>What a route reads from its request.</summary>
public enum BodyKind
{
    None,
    Json,
    Multipart,
}

/// <summary>One API route as mapped (template with its parameters), the body it reads, and a concrete path to call it.</summary>
public sealed record ApiRoute(string Method, string Template, BodyKind Body)
{
    /// <summary>The template with every parameter filled with a harmless value the route accepts (so a body test
    /// reaches the body).</summary>
    public string Path => Template
        .Replace("{provider}", "openai-compatible")
        .Replace("{id}", "resp_test")
        .Replace("{job_id}", "job_test")
        .Replace("{capability}", "voice")
        .Replace("{kind}", "output")
        .Replace("{modality}", "audio")
        .Replace("{task}", "tts");

    /// <summary>Whether the route answers errors in Anthropic's envelope (<c>{"type":"error","error":{"type","message"}}</c>),
    /// which has no <c>param</c> or <c>code</c>: the message names the field instead.</summary>
    public bool AnthropicErrors => Template.Contains("/v1/messages", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Template}";
}

/// <summary>
/// Every route the gateway maps, but the open ones (health, docs). The auth, docs-prefix and fuzz tests run over this
/// table, and <see cref="ApiRoutesTests"/> fails when a mapped route is missing from it: a new route gets those tests
/// by adding one row.
/// </summary>
public static class ApiRoutes
{
    public static readonly ApiRoute[] All =
    [
        new("POST", "/v1/chat/completions", BodyKind.Json),
        new("POST", "/{provider}/v1/chat/completions", BodyKind.Json),
        new("POST", "/v1/responses", BodyKind.Json),
        new("POST", "/{provider}/v1/responses", BodyKind.Json),
        new("POST", "/v1/messages", BodyKind.Json),
        new("POST", "/{provider}/v1/messages", BodyKind.Json),
        new("POST", "/v1/messages/count_tokens", BodyKind.Json),
        new("POST", "/{provider}/v1/messages/count_tokens", BodyKind.Json),
        new("GET", "/v1/responses/{id}", BodyKind.None),
        new("GET", "/v1/responses/{id}/input_items", BodyKind.None),
        new("DELETE", "/v1/responses/{id}", BodyKind.None),
        new("GET", "/v1/models", BodyKind.None),
        new("GET", "/{provider}/v1/models", BodyKind.None),
        new("GET", "/providers", BodyKind.None),
        new("GET", "/acore/auth/validate", BodyKind.None),
        new("POST", "/v1/embeddings", BodyKind.Json),
        new("POST", "/v1/audio/speech", BodyKind.Json),
        new("POST", "/{provider}/v1/audio/speech", BodyKind.Json),
        new("POST", "/v1/audio/transcriptions", BodyKind.Multipart),
        new("POST", "/{provider}/v1/audio/transcriptions", BodyKind.Multipart),
        new("POST", "/v1/voice/clone", BodyKind.Multipart),
        new("POST", "/{provider}/v1/voice/clone", BodyKind.Multipart),
        new("POST", "/v1/audio/music", BodyKind.Json),
        new("POST", "/{provider}/v1/audio/music", BodyKind.Json),
        new("POST", "/v1/audio/translations", BodyKind.None), // always 501: it never reads its body
        new("POST", "/v1/images/generations", BodyKind.Json),
        new("POST", "/{provider}/v1/images/generations", BodyKind.Json),
        new("POST", "/v1/images/edits", BodyKind.Multipart),
        new("POST", "/{provider}/v1/images/edits", BodyKind.Multipart),
        new("POST", "/v1/videos/generations", BodyKind.Json),
        new("POST", "/{provider}/v1/videos/generations", BodyKind.Json),
        new("POST", "/v1/videos/edits", BodyKind.Multipart),
        new("POST", "/{provider}/v1/videos/edits", BodyKind.Multipart),
        new("POST", "/v1/videos/from-image", BodyKind.Multipart),
        new("POST", "/{provider}/v1/videos/from-image", BodyKind.Multipart),
        new("POST", "/v1/vision/jobs/images/generations", BodyKind.Json),
        new("POST", "/v1/vision/jobs/images/edits", BodyKind.Multipart),
        new("POST", "/v1/vision/jobs/videos/generations", BodyKind.Json),
        new("POST", "/v1/vision/jobs/videos/edits", BodyKind.Multipart),
        new("POST", "/v1/vision/jobs/audio/music", BodyKind.Json),
        new("GET", "/v1/vision/jobs/{job_id}", BodyKind.None),
        new("GET", "/v1/capabilities", BodyKind.None),
        new("GET", "/v1/capabilities/{capability}/providers", BodyKind.None),
        new("GET", "/v1/capabilities/{capability}/models", BodyKind.None),
        new("GET", "/v1/audio/speech/models", BodyKind.None),
        new("GET", "/v1/audio/speech/providers", BodyKind.None),
        new("GET", "/v1/audio/transcriptions/models", BodyKind.None),
        new("GET", "/v1/audio/transcriptions/providers", BodyKind.None),
        new("GET", "/v1/voice/clone/providers", BodyKind.None),
        new("GET", "/v1/voice/clone/models", BodyKind.None),
        new("GET", "/v1/audio/music/providers", BodyKind.None),
        new("GET", "/v1/audio/music/models", BodyKind.None),
        new("GET", "/v1/vision/providers/", BodyKind.None),
        new("GET", "/v1/vision/models", BodyKind.None),
        new("GET", "/v1/embeddings/providers", BodyKind.None),
        new("GET", "/v1/audio/voices", BodyKind.None),
        new("GET", "/v1/config/capability-defaults", BodyKind.None),
        new("PUT", "/v1/config/capability-defaults/{kind}/{modality}", BodyKind.Json),
        new("PUT", "/v1/config/capability-defaults/{kind}/{modality}/{task}", BodyKind.Json),
        new("DELETE", "/v1/config/capability-defaults/{kind}/{modality}", BodyKind.None),
        new("DELETE", "/v1/config/capability-defaults/{kind}/{modality}/{task}", BodyKind.None),
        new("POST", "/acore/models/load", BodyKind.Json),
        new("GET", "/acore/models/loaded", BodyKind.None),
        new("POST", "/acore/models/unload", BodyKind.Json),
        new("GET", "/acore/prompt_cache/capabilities", BodyKind.None),
        new("GET", "/acore/prompt_cache/stats", BodyKind.None),
        new("POST", "/acore/prompt_cache/set", BodyKind.Json),
        new("POST", "/acore/prompt_cache/update", BodyKind.Json),
        new("POST", "/acore/prompt_cache/fork", BodyKind.Json),
        new("POST", "/acore/prompt_cache/clear", BodyKind.Json),
        new("POST", "/acore/prompt_cache/prepare_modules", BodyKind.Json),
        new("POST", "/acore/keys", BodyKind.Json),
        new("GET", "/acore/keys", BodyKind.None),
        new("GET", "/acore/keys/{id}", BodyKind.None),
        new("PATCH", "/acore/keys/{id}", BodyKind.Json),
        new("DELETE", "/acore/keys/{id}", BodyKind.None),
        new("POST", "/acore/blocs/upsert_text", BodyKind.Json),
        new("GET", "/acore/blocs", BodyKind.None),
        new("GET", "/acore/blocs/record", BodyKind.None),
        new("POST", "/acore/blocs/delete", BodyKind.Json),
        new("GET", "/acore/blocs/kv/manifest", BodyKind.None),
        new("GET", "/acore/blocs/kv/list", BodyKind.None),
        new("POST", "/acore/blocs/kv/ensure", BodyKind.Json),
        new("POST", "/acore/blocs/kv/load", BodyKind.Json),
        new("POST", "/acore/blocs/kv/delete", BodyKind.Json),
        new("POST", "/acore/blocs/kv/prune", BodyKind.Json),
        new("GET", "/acore/spend", BodyKind.None),
    ];

    public static IEnumerable<ApiRoute> WithBody => All.Where(r => r.Body != BodyKind.None);

    public static TheoryData<ApiRoute> Theory(IEnumerable<ApiRoute> routes)
    {
        var data = new TheoryData<ApiRoute>();
        foreach (var route in routes)
        {
            data.Add(route);
        }

        return data;
    }
}
