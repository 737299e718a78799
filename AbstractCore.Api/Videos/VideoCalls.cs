using System.Text.Json;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Media;
using AbstractCore.OpenAI.Images;

namespace AbstractCore.Api.Videos;

/// <summary>
/// Video requests as upstream calls: every generation field is forwarded (as the original does), with
/// <c>response_format: b64_json</c>, <c>frames</c> read as <c>num_frames</c> and <c>extra</c> merged in.
/// Image-to-video (<c>/v1/videos/edits</c>) forwards its multipart text fields and the first-frame image.
/// </summary>
internal sealed class VideoCalls(VisionRouting routing)
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.Ordinal)
    {
        "prompt", "model", "provider", "base_url", "response_format", "extra_json", "image", "frames",
    };

    public async Task<MediaCall> GenerationAsync(HttpContext context, MediaCaller caller)
    {
        var generation = await routing.ReadGenerationAsync(
            context, MediaRoute.Videos, MediaWireJsonContext.Default.VideoGenerationRequest, caller);

        // The typed request, written back: null fields drop out, routing fields are replaced by the resolved target.
        var body = JsonSerializer.SerializeToNode(generation.Request, MediaWireJsonContext.Default.VideoGenerationRequest)!.AsObject();
        foreach (var name in (string[])["provider", "base_url", "extra", "frames"])
        {
            body.Remove(name);
        }

        foreach (var (name, value) in body.ToList())
        {
            if (value is null)
            {
                body.Remove(name);
            }
        }

        body["prompt"] = generation.Prompt;
        body["response_format"] = "b64_json";
        body["num_frames"] = generation.Request.NumFrames ?? generation.Request.Frames;
        if (body["num_frames"] is null)
        {
            body.Remove("num_frames");
        }

        body.Remove("model");
        if (generation.Target.Model is not null)
        {
            body["model"] = generation.Target.Model;
        }

        if (generation.Size is not null)
        {
            body["size"] = generation.Size;
        }

        return generation.Call(MediaKinds.VideoGenerations, "videos/generations", body);
    }

    public async Task<MediaCall> EditAsync(HttpContext context, MediaCaller caller, string route)
    {
        var ct = context.RequestAborted;
        var form = await MediaForm.ReadAsync(context.Request, route, ct);
        var prompt = form.RequirePrompt();
        var image = form.RequireFile("image");
        MediaFields.CheckResponseFormat(form.Text("response_format"));
        var extra = MediaFields.ExtraJson(form.Text("extra_json"));
        var target = await routing.ResolveAsync(context, MediaRoute.Videos, form.Head, caller);

        var fields = new List<MediaFormField> { new("prompt", prompt), new("response_format", "b64_json") };
        if (target.Model is not null)
        {
            fields.Add(new("model", target.Model));
        }

        if (form.Text("frames") is { } frames && form.Text("num_frames") is null)
        {
            fields.Add(new("num_frames", frames));
        }

        fields.AddRange(form.Forwarded(NotForwarded, extra));
        return new MediaCall(MediaKinds.VideoEdits, target.Provider, target.BaseUrl, "videos/edits", null, fields,
            [await MediaFiles.ReadAsync(image, "image", "image.png", ct)]);
    }
}
