using System.Text.Json.Nodes;
using AbstractCore.Media;
using Microsoft.AspNetCore.Http.Features;

namespace AbstractCore.Api.Media;

/// <summary>A multipart media request read whole, with the spec's limits: 10 MB a file, 32 MB a request (413 beyond).</summary>
internal sealed class MediaForm
{
    public const long MaxFileBytes = AbstractCore.Security.MediaLimits.MaxFileBytes;
    public const long MaxRequestBytes = AbstractCore.Security.MediaLimits.MaxRequestBytes;

    private MediaForm(IFormCollection form) => Form = form;

    public IFormCollection Form { get; }

    public static async Task<MediaForm> ReadAsync(HttpRequest request, string route, CancellationToken cancellationToken)
    {
        if (Requests.MultipartRules.Boundary(request) is null)
        {
            throw GatewayException.BadRequest(
                $"{route} takes multipart/form-data with an 'image' file and a 'prompt' field (got '{request.ContentType ?? "no content type"}').",
                "image", "invalid_multipart");
        }

        if (request.ContentLength > MaxRequestBytes)
        {
            throw TooLarge("The request is larger than 32 MB.", null);
        }

        IFormCollection form;
        try
        {
            if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxRequestBytes;
            }

            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxRequestBytes }, cancellationToken);
        }
        catch (InvalidDataException e) when (e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge("The request is larger than 32 MB.", null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw GatewayException.BadRequest($"The multipart body could not be read: {e.Message}", null, "invalid_multipart");
        }

        foreach (var name in form.Keys)
        {
            Requests.MultipartRules.CheckName(name);
        }

        foreach (var file in form.Files)
        {
            Requests.MultipartRules.CheckName(file.Name);
            Requests.MultipartRules.CheckFileName(file.Name, file.FileName);
            if (file.Length > MaxFileBytes)
            {
                throw TooLarge($"'{file.Name}' is larger than 10 MB (max 10MB per file).", file.Name);
            }
        }

        if (form.ContainsKey("api_key"))
        {
            throw GatewayException.BadRequest(Auth.KeyPlacement.BodyApiKeyMessage, "api_key");
        }

        return new MediaForm(form);
    }

    /// <summary>A non-empty text field, trimmed; null when absent or blank.</summary>
    public string? Text(string name) => Form.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;

    /// <summary>The fields that choose the upstream.</summary>
    public MediaHead Head => MediaHead.Read(Text);

    /// <summary>The text fields the gateway does not read itself, then the <c>extra_json</c> ones (which win a clash).</summary>
    public IEnumerable<MediaFormField> Forwarded(ISet<string> gatewayFields, JsonObject extra) =>
        Form.Where(f => !gatewayFields.Contains(f.Key) && !extra.ContainsKey(f.Key)).Select(f => new MediaFormField(f.Key, f.Value.ToString()))
            .Concat(extra.Select(e => new MediaFormField(e.Key, MediaFields.FormValue(e.Value))));

    public IFormFile? File(params string[] names) =>
        names.Select(n => Form.Files.GetFile(n)).FirstOrDefault(f => f is not null && f.Length > 0);

    public string RequirePrompt() => Text("prompt") ?? throw MediaFields.MissingPrompt();

    public IFormFile RequireFile(string name, params string[] aliases)
    {
        if (File([name, .. aliases]) is { } file)
        {
            return file;
        }

        var hint = Form.ContainsKey(name) ? $" ('{name}' was sent as a text field, not a file)" : "";
        throw GatewayException.BadRequest($"Missing required file: {name}{hint}. Send it as a multipart file part.", name, "missing_file");
    }

    private static GatewayException TooLarge(string message, string? param) =>
        new(413, message, "invalid_request_error", param, "file_too_large");
}
