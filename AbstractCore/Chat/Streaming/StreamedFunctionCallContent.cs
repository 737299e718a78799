namespace AbstractCore.Chat.Streaming;

/// <summary>A whole tool call whose <see cref="ToolCallFragment"/>s were already streamed: writers that sent the fragments
/// skip it, everything that needs the whole call (text renderings, stored conversations) uses it as any call.</summary>
internal sealed class StreamedFunctionCallContent(string callId, string name, IDictionary<string, object?>? arguments, string argumentsJson)
    : RawFunctionCallContent(callId, name, arguments, argumentsJson);
