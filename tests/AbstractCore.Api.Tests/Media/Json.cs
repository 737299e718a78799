using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Media;

/// <summary>Small HTTP helpers for the media tests.</summary>
internal static class Json
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            body = JsonNode.Parse(text);
        }

        return (response, body);
    }

    public static Task<(HttpResponseMessage Response, JsonNode? Body)> PostAsync(HttpClient http, string path, string json) =>
        SendAsync(http, HttpMethod.Post, path, json);

    public static Task<(HttpResponseMessage Response, JsonNode? Body)> GetAsync(HttpClient http, string path) =>
        SendAsync(http, HttpMethod.Get, path);

    /// <summary>Asserts an OpenAI error envelope with this status whose message contains <paramref name="message"/>.</summary>
    public static void AssertError((HttpResponseMessage Response, JsonNode? Body) result, int status, string message)
    {
        Assert.Equal(status, (int)result.Response.StatusCode);
        var text = (string?)result.Body?["error"]?["message"];
        Assert.True(text is not null && text.Contains(message, StringComparison.Ordinal), $"expected '{message}' in: {text ?? "(no error envelope)"}");
        Assert.NotNull(result.Body!["error"]!["type"]);
    }

    public static MultipartFormDataContent Form(byte[]? file, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        if (file is not null)
        {
            var content = new ByteArrayContent(file);
            content.Headers.ContentType = new("audio/wav");
            form.Add(content, "file", "speech.wav");
        }

        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> PostFormAsync(HttpClient http, string path, HttpContent form)
    {
        var response = await http.PostAsync(path, form);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(text) : null);
    }
}

/// <summary>Sends another content without a Content-Length, as a chunked upload would.</summary>
internal sealed class UnknownLengthContent : HttpContent
{
    private readonly HttpContent _inner;

    public UnknownLengthContent(HttpContent inner)
    {
        _inner = inner;
        Headers.ContentType = inner.Headers.ContentType;
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => _inner.CopyToAsync(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
