using Microsoft.Extensions.AI;

namespace AbstractCore.Chat.Streaming;

/// <summary>
/// A piece of a streamed tool call as it arrives: the first one of a call names it (<see cref="Name"/>), each carries
/// the next fragment of its JSON arguments. Microsoft.Extensions.AI has no such content (its clients hand over a call
/// only once it is whole), so translators emit these to let a client see a call while the model still writes it; the
/// whole call follows as a <see cref="StreamedFunctionCallContent"/>.
/// </summary>
internal sealed class ToolCallFragment(string callId, string? name, string arguments) : AIContent
{
    public string CallId { get; } = callId;

    /// <summary>The function's name, on a call's first fragment only.</summary>
    public string? Name { get; } = name;

    /// <summary>The next piece of the arguments' JSON text (may be empty).</summary>
    public string Arguments { get; } = arguments;
}
