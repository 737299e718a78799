using System.Text.Json.Serialization;
using AbstractCore.Media;

namespace AbstractCore.Jobs;

/// <summary>Source-generated JSON for job records in the stores: the call a job runs and its progress.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MediaCall))]
[JsonSerializable(typeof(JobProgress))]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
