namespace AbstractCore.Api.Models;

/// <summary>
/// The <c>input_type</c> / <c>output_type</c> filters. Most providers' model lists carry no capabilities, so these
/// are read from well-known model-family names (embedding models, vision families); a model not recognised
/// counts as text-in, text-out. A list that says (the local Inference service's <c>type</c>) is believed.
/// </summary>
internal static class ModelCapabilities
{
    private static readonly string[] Embedding = ["embed", "bge-", "e5-", "gte-", "minilm"];

    private static readonly string[] Vision =
    [
        "gpt-4o", "gpt-4.1", "gpt-5", "o3", "o4", "claude-3", "claude-sonnet", "claude-opus", "claude-haiku", "gemini",
        "llava", "vision", "-vl", "vl-", "pixtral", "gemma3", "minicpm-v", "moondream", "granite3.2-vision", "mistral-small3",
    ];

    private static readonly string[] Audio = ["audio", "gpt-4o-realtime", "gemini", "voxtral", "qwen2-audio", "qwen2.5-omni"];

    private static readonly string[] Video = ["gemini", "video", "qwen2.5-vl", "qwen3-vl"];

    public static void Validate(string? inputType, string? outputType)
    {
        if (inputType is not (null or "text" or "image" or "audio" or "video"))
        {
            throw GatewayException.BadRequest("input_type must be one of text, image, audio, video.", "input_type");
        }

        if (outputType is not (null or "text" or "embeddings"))
        {
            throw GatewayException.BadRequest("output_type must be text or embeddings.", "output_type");
        }
    }

    public static bool Matches(OpenAI.Models.ModelInfo model, string? inputType, string? outputType) =>
        Matches(model.Id, inputType, outputType, model.Type is null ? null : model.Type == OpenAI.Models.ModelInfo.EmbeddingsType);

    public static bool Matches(string id, string? inputType, string? outputType, bool? isEmbedding = null)
    {
        var name = id.ToLowerInvariant();
        var embedding = isEmbedding ?? Has(name, Embedding);
        return outputType switch
        {
            "embeddings" when !embedding => false,
            "text" when embedding => false,
            _ => inputType switch
            {
                "image" => !embedding && Has(name, Vision),
                "audio" => !embedding && Has(name, Audio),
                "video" => !embedding && Has(name, Video),
                _ => true,
            },
        };
    }

    private static bool Has(string name, string[] markers) => markers.Any(m => name.Contains(m, StringComparison.Ordinal));
}
