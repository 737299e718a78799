using System.Text.Json;
using System.Text.Json.Nodes;
using AbstractCore.Media;
using AbstractCore.Spend;

namespace AbstractCore.Api.Media;

/// <summary>How an image, video or music call is billed: the model it asks for, and what its answer
/// (<c>{"created","data":[…],"usage"?}</c>) says it produced.</summary>
internal static class MediaBilling
{
    /// <summary>The call's <c>model</c> (JSON body or form field); <c>default</c> when only the provider was named, as
    /// <see cref="MediaTarget.Ref"/> names it.</summary>
    public static string Model(MediaCall call)
    {
        string? model = null;
        if (call.Json is not null)
        {
            try
            {
                model = JsonNode.Parse(call.Json)?["model"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            }
            catch (JsonException)
            {
            }
        }
        else
        {
            model = call.Form?.FirstOrDefault(f => f.Name == "model")?.Value;
        }

        return string.IsNullOrWhiteSpace(model) ? "default" : model;
    }

    /// <summary>The answer's token usage when the upstream reports it (gpt-image-1 does), and for images the number it
    /// returned; a video or music answer with no usage is a zero line, which still counts the call.</summary>
    public static Usage Of(string kind, ReadOnlySpan<byte> answer)
    {
        var figures = AnswerUsage.Scan(answer);
        var usage = figures.Usage is { } reported ? AnswerUsage.Read(reported) : Usage.None;
        return kind is MediaKinds.ImageGenerations or MediaKinds.ImageEdits ? usage with { Images = figures.Items } : usage;
    }
}
