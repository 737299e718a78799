using Microsoft.Net.Http.Headers;

namespace AbstractCore.Api.Requests;

/// <summary>
/// What both multipart readers (the audio upload reader and the media form) refuse before and while reading: a
/// boundary longer than RFC 2046 allows (the framework's reader fails on it with an exception, not a 400), and part
/// names or file names that cannot be forwarded upstream (a control character such as NUL, or a quote, makes the
/// outgoing multipart header invalid). Each is a 400 naming the field.
/// </summary>
internal static class MultipartRules
{
    /// <summary>RFC 2046 §5.1.1: a boundary is 1 to 70 characters.</summary>
    public const int MaxBoundaryLength = 70;

    /// <summary>The request's boundary, or null when the content type is not multipart/form-data with one.</summary>
    public static string? Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return null;
        }

        return boundary.Length <= MaxBoundaryLength
            ? boundary
            : throw GatewayException.BadRequest(
                $"The multipart boundary is {boundary.Length} characters long; RFC 2046 allows at most {MaxBoundaryLength}.",
                null, "invalid_multipart");
    }

    /// <summary>A part's form name: forwarded as a header value, so it must be plain text.</summary>
    public static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw GatewayException.BadRequest("A form part has an empty name: every part needs name=\"…\" in its Content-Disposition.", null, "invalid_multipart");
        }

        if (!IsHeaderSafe(name))
        {
            throw GatewayException.BadRequest(
                $"The form field name '{Printable(name)}' holds a control character or a quote.", Printable(name), "invalid_multipart");
        }
    }

    /// <summary>A file part's file name.</summary>
    public static void CheckFileName(string field, string? fileName)
    {
        if (fileName is not null && !IsHeaderSafe(fileName))
        {
            throw GatewayException.BadRequest(
                $"The file name of '{field}' holds a control character or a quote; send a plain file name.", field, "invalid_file_name");
        }
    }

    private static bool IsHeaderSafe(string text) => !text.Any(c => char.IsControl(c) || c == '"');

    private static string Printable(string text) => new([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
}
