using System.Text.Json;

namespace AbstractCore.OpenAI.Media;

/// <summary>What image and video generation bodies have in common: the prompt, the routing head, the size fields and
/// <c>extra</c>, checked by the same rules before each builds its own upstream body.</summary>
public interface IMediaGenerationRequest
{
    string? Prompt { get; }
    string? Model { get; }
    string? Provider { get; }
    string? BaseUrl { get; }
    int? Width { get; }
    int? Height { get; }
    string? Size { get; }
    string? ResponseFormat { get; }
    JsonElement? Extra { get; }
    Dictionary<string, JsonElement>? Unknown { get; }
}
