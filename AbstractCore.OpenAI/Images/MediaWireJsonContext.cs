using System.Text.Json;
using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Videos;

namespace AbstractCore.OpenAI.Images;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.Strict, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ImageGenerationRequest))]
[JsonSerializable(typeof(VideoGenerationRequest))]
[JsonSerializable(typeof(MediaEditForm))]
[JsonSerializable(typeof(JobCreated))]
[JsonSerializable(typeof(MediaAnswer))]
public sealed partial class MediaWireJsonContext : JsonSerializerContext;
