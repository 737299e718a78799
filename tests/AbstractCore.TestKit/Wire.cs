using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AbstractCore.TestKit;

/// <summary>Raw HTTP helpers for what an SDK would hide: exact JSON bodies, SSE payloads, headers.</summary>
public static class Wire
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> PostAsync(HttpClient http, string path, string json)
    {
        var response = await http.PostAsync(path, Json(json));
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task<(HttpResponseMessage Response, JsonNode? Body)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Every <c>data:</c> payload of an SSE body, in order ([DONE] included as a string).</summary>
    public static async Task<(HttpResponseMessage Response, List<string> Events)> StreamAsync(HttpClient http, string path, string json)
    {
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) },
            HttpCompletionOption.ResponseHeadersRead);
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line[6..]);
            }
        }

        return (response, events);
    }

    /// <summary>POSTs <paramref name="json"/> to a streaming route and reads every SSE event as (event name or null, data JSON), in order.</summary>
    public static async Task<(HttpResponseMessage Response, List<(string? Event, JsonNode Data)> Events)> NamedEventsAsync(HttpClient http, string path, string json)
    {
        ArgumentNullException.ThrowIfNull(http);
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(json) }, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<(string?, JsonNode)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name, JsonNode.Parse(line[6..])!));
                name = null;
            }
        }

        return (response, events);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

    public static MediaTypeHeaderValue? ContentType(HttpResponseMessage response) => response.Content.Headers.ContentType;

    /// <summary>A chat body: messages given as (role, content) pairs.</summary>
    public static string Chat(string model, params (string Role, string Content)[] messages) =>
        Chat(model, new JsonObject(), messages);

    public static string Chat(string model, JsonObject extra, params (string Role, string Content)[] messages)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray()),
        };
        foreach (var (name, value) in extra)
        {
            body[name] = value?.DeepClone();
        }

        return body.ToJsonString();
    }
}
