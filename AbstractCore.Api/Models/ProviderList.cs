using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Api.Models;

internal sealed record ProviderList([property: JsonPropertyName("providers")] List<ProviderStatus> Providers);

internal sealed record ProviderStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("model_count")] int ModelCount,
    [property: JsonPropertyName("models"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<ModelInfo>? Models,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

[JsonSerializable(typeof(ProviderList))]
internal sealed partial class ModelsJsonContext : JsonSerializerContext;
