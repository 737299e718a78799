using System.Text.Json.Nodes;

namespace AbstractCore.Chat.Forwarding;

/// <summary>A tool call parsed from a model's text, in OpenAI's shape with a fresh id.</summary>
internal static class ParsedCalls
{
    public static JsonObject ToJson(string name, string arguments, int? index)
    {
        var call = new JsonObject();
        if (index is { } i)
        {
            call["index"] = i;
        }

        call["id"] = "call_" + Guid.NewGuid().ToString("N")[..24];
        call["type"] = "function";
        call["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments };
        return call;
    }
}
