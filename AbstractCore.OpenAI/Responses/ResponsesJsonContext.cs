using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Responses;

/// <summary>Source-generated serialization for the Responses wire types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseDeleted))]
[JsonSerializable(typeof(InputItemList))]
[JsonSerializable(typeof(ResponseStreamEvent))]
public sealed partial class ResponsesJsonContext : JsonSerializerContext
{
    /// <summary>The context the gateway writes with (minimal escaping, as OpenAI does).</summary>
    public static ResponsesJsonContext Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
