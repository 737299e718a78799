using System.Text.Json;
using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Errors;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.OpenAI.Json;

/// <summary>Source-generated (reflection-free) serialization for every wire type.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletion))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext
{
    /// <summary>The context the gateway writes with: escapes only what JSON requires, like OpenAI does
    /// (the default encoder would turn every quote inside tool arguments into \u0022).</summary>
    public static OpenAIJsonContext Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
