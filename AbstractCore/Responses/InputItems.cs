using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Responses;

/// <summary>
/// A request's <c>input</c> as the list <c>GET /v1/responses/{id}/input_items</c> tells back: every item an object
/// with a <c>type</c> and an <c>id</c>, a string input one user message, string contents as their parts.
/// </summary>
public static class InputItems
{
    public static List<JsonElement> From(JsonElement? input)
    {
        var items = new List<JsonElement>();
        if (input is { ValueKind: JsonValueKind.String } text)
        {
            items.Add(Message("user", text.GetString() ?? "", null));
        }
        else if (input is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                items.Add(Normalize(item));
            }
        }

        return items;
    }

    private static JsonElement Normalize(JsonElement item)
    {
        var type = ResponsesTranslator.Str(item, "type") ?? "message";
        if (type == "message" && ResponsesTranslator.Str(item, "role") is { } role &&
            item.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            return Message(role, content.GetString()!, ResponsesTranslator.Str(item, "id"));
        }

        var node = JsonObject.Create(item)!.DeepClone().AsObject();
        node["type"] = type;
        node["id"] ??= ResponseAssembler.NewId(type switch
        {
            "message" => "msg_",
            "function_call" => "fc_",
            "reasoning" => "rs_",
            _ => "item_",
        });
        return JsonSerializer.SerializeToElement(node, ResponsesStoreJsonContext.Default.JsonObject);
    }

    private static JsonElement Message(string role, string text, string? id)
    {
        var node = new JsonObject
        {
            ["id"] = id ?? ResponseAssembler.NewId("msg_"),
            ["type"] = "message",
            ["role"] = role,
            ["status"] = "completed",
            ["content"] = new JsonArray(new JsonObject
            {
                ["type"] = role == "assistant" ? "output_text" : "input_text",
                ["text"] = text,
            }),
        };
        return JsonSerializer.SerializeToElement(node, ResponsesStoreJsonContext.Default.JsonObject);
    }
}
