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
