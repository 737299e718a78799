using System.Text.Json.Nodes;
using AbstractCore.Inference.Hosting;

namespace AbstractCore.Inference.Blocs;

/// <summary>A refused bloc KV request with fields of its own beside the error (e.g. <c>live_bindings</c>).</summary>
internal sealed class BlocException(int status, string message, string? code = null, JsonObject? details = null)
    : InferenceException(status, message, status == 409 ? "conflict_error" : "invalid_request_error", null, code)
{
    public JsonObject? Details { get; } = details;
}
