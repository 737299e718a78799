using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AbstractCore.Attachments;

[JsonSerializable(typeof(JsonArray))]
internal sealed partial class AttachmentsJsonContext : JsonSerializerContext;
