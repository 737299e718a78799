using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Generation;

/// <summary>
/// Renders messages with the model's own chat template: <c>chat_template</c> in tokenizer_config.json, or the
/// <c>chat_template.jinja</c> file recent exports ship beside it (ONNX Runtime GenAI reads both). A model without
/// either gets no guessed template (a wrong one silently degrades answers): the error says what to add.
/// </summary>
internal static class ChatTemplate
{
    /// <summary>
    /// Tools are offered to a model only when its template renders them (it mentions <c>tools</c>): a template that
    /// ignores them would drop them silently. The model then writes its calls as text (e.g. <c>&lt;tool_call&gt;</c>),
    /// which the gateway turns into structured <c>tool_calls</c>.
    /// </summary>
    public static void RefuseUnrenderedTools(LoadedModel model, string? toolsJson)
    {
        if (toolsJson is not null && !model.TemplateRendersTools)
        {
            throw InferenceException.BadRequest(
                "tools: this local ONNX model's chat template does not render tools, so it cannot be offered any; send tool_choice \"none\" to have them ignored, " +
                "or use a model whose template renders tools, or a provider with tool calling.",
                "tools", "unsupported_parameter");
        }
    }

    /// <summary>Whether the template in the folder (tokenizer_config.json's chat_template, or chat_template.jinja) mentions <c>tools</c>.</summary>
    public static bool MentionsTools(string folder)
    {
        try
        {
            var jinja = Path.Combine(folder, "chat_template.jinja");
            if (File.Exists(jinja))
            {
                return File.ReadAllText(jinja).Contains("tools", StringComparison.Ordinal);
            }

            var config = Path.Combine(folder, "tokenizer_config.json");
            return File.Exists(config) && System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))?["chat_template"] is { } template &&
                template.ToJsonString().Contains("tools", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    public static string Render(LoadedModel model, string messagesJson, string? toolsJson, bool addGenerationPrompt)
    {
        try
        {
            return model.Tokenizer.ApplyChatTemplate(null, messagesJson, toolsJson, addGenerationPrompt);
        }
        catch (OnnxRuntimeGenAIException e) when (e.Message.Contains("Empty chat template", StringComparison.OrdinalIgnoreCase))
        {
            throw InferenceException.BadRequest(
                $"The model '{model.Folder.Name}' has no chat template: add the one of its model family to its folder under {InferenceSettings.ModelsDirVariable} " +
                "(chat_template.jinja, or chat_template in tokenizer_config.json), as published with the original model.",
                "model", "chat_template_missing");
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw InferenceException.BadRequest($"The model's chat template could not render these messages: {e.Message}", "messages", "chat_template_error");
        }
    }
}
