using System.Net.Http.Headers;

namespace AbstractCore.Api.Audio;

/// <summary>The multipart body sent upstream: the file streamed from its buffer, then the client's fields in order.</summary>
internal static class UpstreamForms
{
    public static MultipartFormDataContent Build(MultipartUpload upload, string fileField, string? model, IReadOnlyCollection<string> dropped)
    {
        var form = new MultipartFormDataContent();
        var file = upload.File!;
        var content = new StreamContent(file.Content);
        content.Headers.ContentType = MediaTypeHeaderValue.TryParse(file.ContentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, fileField, file.FileName);
        if (model is not null)
        {
            form.Add(new StringContent(model), "model");
        }

        foreach (var (name, value) in upload.Fields)
        {
            if (!dropped.Contains(name) && name != "api_key")
            {
                form.Add(new StringContent(value), name);
            }
        }

        return form;
    }
}
