using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>
/// A tool call with its arguments exactly as the upstream spelled them: the parsed dictionary reorders keys and
/// respells numbers and escapes, so writers use this text when a provider kept it.
/// </summary>
internal class RawFunctionCallContent(string callId, string name, IDictionary<string, object?>? arguments, string argumentsJson)
    : FunctionCallContent(callId, name, arguments)
{
    /// <summary>The arguments as the upstream wrote them.</summary>
    public string ArgumentsJson { get; } = argumentsJson;
}
