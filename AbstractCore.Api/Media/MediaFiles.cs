using AbstractCore.Media;

namespace AbstractCore.Api.Media;

internal static class MediaFiles
{
    /// <summary>Reads an uploaded file into a call, keeping its name and content type (defaults when the client gave none).</summary>
    public static async Task<MediaFile> ReadAsync(IFormFile file, string field, string defaultName, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken);
        var name = string.IsNullOrWhiteSpace(file.FileName) ? defaultName : Path.GetFileName(file.FileName);
        var type = string.IsNullOrWhiteSpace(file.ContentType) ? "application/octet-stream" : file.ContentType;
        return new MediaFile(field, name, type, buffer.ToArray());
    }
}
