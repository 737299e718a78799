using System.Text.Json.Nodes;
using AbstractCore.Api.Capabilities;
using AbstractCore.Api.Media;
using AbstractCore.Media;
using AbstractCore.OpenAI.Images;

namespace AbstractCore.Api.Images;

/// <summary>
/// Turns image requests into upstream calls with the specification's field rules: named OpenAI fields pass through,
/// <c>extra</c> / <c>extra_json</c> fields are merged in, local-engine fields (seed, steps, guidance_scale,
/// negative_prompt, width, height) are not sent, <c>size</c> comes from width×height when absent, <c>n</c> is clamped.
/// </summary>
internal sealed class ImageCalls(VisionRouting routing)
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.Ordinal)
    {
        "prompt", "model", "provider", "base_url", "size", "n", "response_format", "extra_json", "image", "image[]", "mask",
        "negative_prompt", "seed", "steps", "guidance_scale", "width", "height",
    };

    public async Task<MediaCall> GenerationAsync(HttpContext context, MediaCaller caller)
    {
        var generation = await routing.ReadGenerationAsync(
            context, MediaRoute.Images, MediaWireJsonContext.Default.ImageGenerationRequest, caller);

        var body = new JsonObject { ["prompt"] = generation.Prompt, ["n"] = MediaFields.ClampN(generation.Request.N) };
        if (generation.Target.Model is not null)
        {
            body["model"] = generation.Target.Model;
        }

        if (generation.Size is not null)
        {
            body["size"] = generation.Size;
        }

        foreach (var (name, value) in generation.Request.Passthrough())
        {
            body[name] = JsonNode.Parse(value.GetRawText());
        }

        return generation.Call(MediaKinds.ImageGenerations, "images/generations", body);
    }

    public async Task<MediaCall> EditAsync(HttpContext context, MediaCaller caller, string route)
    {
        var ct = context.RequestAborted;
        var form = await MediaForm.ReadAsync(context.Request, route, ct);
        var prompt = form.RequirePrompt();
        var image = form.RequireFile("image", "image[]");
        var mask = form.File("mask");
        MediaFields.CheckResponseFormat(form.Text("response_format"));
        var size = MediaFields.Size(form.Text("size"), null, null);
        var n = MediaFields.ClampN(MediaFields.ParseInt(form.Text("n"), "n"));
        var extra = MediaFields.ExtraJson(form.Text("extra_json"));
        var target = await routing.ResolveAsync(context, MediaRoute.Images, form.Head, caller);

        var fields = new List<MediaFormField> { new("prompt", prompt), new("n", n.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (target.Model is not null)
        {
            fields.Add(new("model", target.Model));
        }

        if (size is not null)
        {
            fields.Add(new("size", size));
        }

        fields.AddRange(form.Forwarded(NotForwarded, extra));

        List<MediaFile> files = [await MediaFiles.ReadAsync(image, "image", "image.png", ct)];
        if (mask is not null)
        {
            files.Add(await MediaFiles.ReadAsync(mask, "mask", "mask.png", ct));
        }

        return new MediaCall(MediaKinds.ImageEdits, target.Provider, target.BaseUrl, "images/edits", null, fields, files);
    }
}
