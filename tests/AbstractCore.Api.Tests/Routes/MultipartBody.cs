using System.Text;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>One part of a multipart form; a file when it has a file name.</summary>
public sealed record MultipartPart(string Name, byte[] Content, string? FileName = null, string? ContentType = null);

/// <summary>
/// A multipart/form-data body written byte by byte (HttpClient's MultipartFormDataContent refuses the malformed names,
/// file names and boundaries the tests need to send).
/// </summary>
public sealed class MultipartBody
{
    public List<MultipartPart> Parts { get; } = [];

    public string Boundary { get; set; } = "acore-test-boundary";

    public (byte[] Body, string ContentType) Encode()
    {
        using var body = new MemoryStream();
        foreach (var part in Parts)
        {
            var disposition = $"form-data; name=\"{part.Name}\"" + (part.FileName is null ? "" : $"; filename=\"{part.FileName}\"");
            Write(body, $"--{Boundary}\r\nContent-Disposition: {disposition}\r\n");
            if (part.ContentType is not null)
            {
                Write(body, $"Content-Type: {part.ContentType}\r\n");
            }

            Write(body, "\r\n");
            body.Write(part.Content);
            Write(body, "\r\n");
        }

        Write(body, $"--{Boundary}--\r\n");
        return (body.ToArray(), $"multipart/form-data; boundary={Boundary}");
    }

    private static void Write(Stream stream, string text) => stream.Write(Encoding.UTF8.GetBytes(text));
}
