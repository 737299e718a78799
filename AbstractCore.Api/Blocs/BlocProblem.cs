using System.Text.Json.Nodes;

namespace AbstractCore.Api.Blocs;

/// <summary>A bloc route's refusal, answered in the control plane's envelope <c>{"ok":false,"operation","error",…}</c>
/// (spec 9.3), with <see cref="Extra"/> fields such as <c>code</c> or <c>live_bindings</c>.</summary>
internal sealed class BlocProblem(int status, string message, JsonObject? extra = null) : Exception(message)
{
    public int Status { get; } = status;

    public JsonObject? Extra { get; } = extra;

    public static BlocProblem BadRequest(string message) => new(400, message);

    public static BlocProblem NotFound() => new(404, "bloc not found");
}
