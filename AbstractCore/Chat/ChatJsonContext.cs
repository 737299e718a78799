using System.Text.Json;
using System.Text.Json.Serialization;

namespace AbstractCore.Chat;

/// <summary>Source-generated JSON for tool-call arguments.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(IDictionary<string, object?>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
