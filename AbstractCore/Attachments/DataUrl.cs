using System.Text;

namespace AbstractCore.Attachments;

/// <summary><c>data:[mime][;base64],payload</c> URLs: decoded after a size check on the encoded length, so an
/// oversized attachment is refused before it is decoded.</summary>
internal static class DataUrl
{
    public static (byte[] Bytes, string? Mime) Decode(string url, string param)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            throw new GatewayException(400, $"Invalid base64 media data: {param} is a data: URL without a ',' before its payload.", "media_error", param);
        }

        var header = url.AsSpan(5, comma - 5);
        var base64 = header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase);
        var mimeEnd = header.IndexOf(';');
        var mime = (mimeEnd < 0 ? header : header[..mimeEnd]).Trim().ToString();
        var payload = url.AsSpan(comma + 1);
        var decodedLength = base64 ? payload.Length / 4 * 3 : payload.Length;
        if (decodedLength > Security.MediaLimits.MaxFileBytes + 2)
        {
            throw new GatewayException(413, $"File too large: {param} holds about {decodedLength} bytes (max 10MB per file).", "file_too_large", param);
        }

        try
        {
            var bytes = base64 ? Convert.FromBase64String(payload.ToString()) : Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload.ToString()));
            return (bytes, mime.Length == 0 ? null : mime.ToLowerInvariant());
        }
        catch (FormatException e)
        {
            throw new GatewayException(400, $"Invalid base64 media data: {e.Message}", "media_error", param);
        }
    }

    /// <summary>A file extension for a declared MIME type, so a nameless document still tells CSV from Markdown.</summary>
    public static string Extension(string? mime) => mime switch
    {
        "text/csv" => ".csv",
        "text/tab-separated-values" => ".tsv",
        "text/markdown" => ".md",
        "application/json" => ".json",
        "application/xml" or "text/xml" => ".xml",
        "text/plain" => ".txt",
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" or "image/jpg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => ".pptx",
        _ => "",
    };
}
