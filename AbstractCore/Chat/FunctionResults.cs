using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AbstractCore.Chat;

/// <summary>A tool result as the text providers send back: a string as is, JSON as its text, anything else serialized.</summary>
internal static class FunctionResults
{
    public static string? Text(object? result) => result switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };
}
