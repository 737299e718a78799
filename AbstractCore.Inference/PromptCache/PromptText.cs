using System.Text.Json.Nodes;
using AbstractCore.Inference.Generation;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;

namespace AbstractCore.Inference.PromptCache;

/// <summary>
/// The tokens an update (or a module) prefills: <c>messages</c> (with an optional leading <c>system_prompt</c>)
/// rendered by the model's chat template, without the generation prompt unless <c>add_generation_prompt</c>;
/// or a raw <c>prompt</c> string, used as is.
/// </summary>
internal static class PromptText
{
    public static int[] Render(LoadedModel model, JsonObject body)
    {
        var system = JsonReply.String(body, "system_prompt");
        var messages = body["messages"] as JsonArray;
        if (messages is null && JsonReply.String(body, "prompt") is { } prompt && system is null)
        {
            return model.Encode(prompt);
        }

        var all = new JsonArray();
        if (system is not null)
        {
            all.Add(new JsonObject { ["role"] = "system", ["content"] = system });
        }

        foreach (var message in messages ?? [])
        {
            all.Add(message?.DeepClone());
        }

        if (messages is null && JsonReply.String(body, "prompt") is { } userPrompt)
        {
            all.Add(new JsonObject { ["role"] = "user", ["content"] = userPrompt });
        }

        if (all.Count == 0)
        {
            throw InferenceException.BadRequest("prompt, messages or system_prompt is required.", "messages");
        }

        var tools = body["tools"] is JsonArray { Count: > 0 } t ? t.ToJsonString() : null;
        return model.Encode(ChatTemplate.Render(model, all.ToJsonString(), tools, JsonReply.Bool(body, "add_generation_prompt", false)));
    }
}
