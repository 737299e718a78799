namespace AbstractCore.Inference.Hosting;

/// <summary>A request the service refuses, answered in the OpenAI error envelope with its status.</summary>
internal class InferenceException(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Param { get; } = param;

    public string? Code { get; } = code;

    public static InferenceException BadRequest(string message, string? param = null, string? code = null) => new(400, message, "invalid_request_error", param, code);

    public static InferenceException ModelNotFound(string? model) => new(404,
        $"The model '{model}' does not exist: no folder with genai_config.json of that name under {InferenceSettings.ModelsDirVariable}.",
        "invalid_request_error", "model", "model_not_found");

    /// <summary>An unload without <c>force</c> of a model loaded with <c>lock</c>.</summary>
    public static InferenceException ModelLocked(string model, string runtimeId) => new(409,
        $"Model runtime '{model}' ({runtimeId}) is locked; unload it with \"force\": true.", "conflict_error", "runtime_id", "model_locked");
}
