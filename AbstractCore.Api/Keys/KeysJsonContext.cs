using System.Text.Json.Serialization;

namespace AbstractCore.Api.Keys;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VirtualKey))]
[JsonSerializable(typeof(List<VirtualKey>))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyCreated))]
[JsonSerializable(typeof(KeyDeleted))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
