using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AbstractCore.Api.Audio;

/// <summary>The uploaded file: its form name, file name and type, and its bytes (in memory, or a temp file past 256 KiB).</summary>
internal sealed record UploadedFile(string FileName, string ContentType, FileBufferingReadStream Content);

/// <summary>
/// A multipart/form-data upload read section by section. The size limit is enforced before anything is buffered: a
/// declared Content-Length over it is refused outright (413), and a body without one is cut off by the server's body
/// limit and the file buffer's own limit, so at most the limit is ever held. The file is kept (bounded) rather than
/// streamed straight through because routing depends on the <c>model</c> field, which may come after it.
/// </summary>
internal sealed class MultipartUpload : IAsyncDisposable
{
    /// <summary>Room for the text fields and part headers around the file.</summary>
    private const long FormOverhead = 256 * 1024;
    private const int MaxFieldBytes = 64 * 1024;
    private const int MemoryThreshold = 256 * 1024;

    private MultipartUpload()
    {
    }

    /// <summary>Text fields in order; a name sent several times (<c>timestamp_granularities[]</c>) keeps every value.</summary>
    public List<KeyValuePair<string, string>> Fields { get; } = [];

    public UploadedFile? File { get; private set; }

    public string? Field(string name) =>
        Fields.Where(f => f.Key == name).Select(f => f.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();

    public static async Task<MultipartUpload> ReadAsync(HttpRequest request, string fileField, long maxBytes, CancellationToken cancellationToken)
    {
        if (Requests.MultipartRules.Boundary(request) is not { } boundary)
        {
            throw GatewayException.BadRequest(
                $"The request must be multipart/form-data with the audio in a '{fileField}' file part (got '{request.ContentType ?? "no content type"}').",
                fileField, "invalid_multipart");
        }

        if (request.ContentLength > maxBytes + FormOverhead)
        {
            throw TooLarge(maxBytes);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = maxBytes + FormOverhead;
        }

        var upload = new MultipartUpload();
        try
        {
            await upload.ReadSectionsAsync(new MultipartReader(boundary, request.Body), fileField, maxBytes, cancellationToken);
        }
        catch
        {
            await upload.DisposeAsync();
            throw;
        }

        if (upload.File is null)
        {
            throw GatewayException.BadRequest(
                $"Missing required field: {fileField} (a multipart file part with the audio).", fileField, "missing_file");
        }

        return upload;
    }

    public static GatewayException TooLarge(long maxBytes) => new(413,
        $"The upload is larger than the {maxBytes} bytes allowed. Send a smaller file, or raise ABSTRACTCORE_SERVER_AUDIO_MAX_BYTES on the server.",
        "invalid_request_error", "file", "file_too_large");

    public async ValueTask DisposeAsync()
    {
        if (File is not null)
        {
            await File.Content.DisposeAsync();
        }
    }

    private async Task ReadSectionsAsync(MultipartReader reader, string fileField, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    continue; // a part without a form name carries nothing addressable
                }

                Requests.MultipartRules.CheckName(name);
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                Requests.MultipartRules.CheckFileName(name, fileName);
                if (fileName is null)
                {
                    Fields.Add(new(name, await ReadFieldAsync(section, name, cancellationToken)));
                    continue;
                }

                var content = new FileBufferingReadStream(section.Body, MemoryThreshold, maxBytes, Path.GetTempPath());
                if (name != fileField || File is not null)
                {
                    await using (content)
                    {
                        await content.DrainAsync(cancellationToken); // only one file is forwarded; others are read past
                    }

                    continue;
                }

                File = new UploadedFile(fileName.Length == 0 ? "audio" : fileName, section.ContentType ?? "application/octet-stream", content);
                await content.DrainAsync(cancellationToken);
                content.Position = 0;
            }
        }
        catch (IOException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw GatewayException.BadRequest($"The multipart body could not be read: {e.Message}", null, "invalid_multipart");
        }

        if (Fields.Any(f => f.Key == fileField))
        {
            throw GatewayException.BadRequest($"'{fileField}' must be a file part (with a filename), not a text field.", fileField, "invalid_multipart");
        }

        if (File is { Content.Length: 0 })
        {
            throw GatewayException.BadRequest($"'{fileField}' is empty.", fileField, "missing_file");
        }
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(section.Body);
        var buffer = new char[MaxFieldBytes + 1];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        return read > MaxFieldBytes
            ? throw GatewayException.BadRequest($"The form field '{name}' is longer than {MaxFieldBytes} characters.", name)
            : new string(buffer, 0, read);
    }
}
