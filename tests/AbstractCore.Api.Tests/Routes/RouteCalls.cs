using System.Text.Json;
using System.Text.Json.Nodes;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>Raw sends to a route of the table, and the error envelope check every failure answer must pass. An error
/// body comes back parsed, or as a JSON string of its text when it is not JSON (so the check can show it).</summary>
public static class RouteCalls
{
    public static async Task<(int Status, JsonNode? Body)> SendAsync(HttpClient http, ApiRoute route, byte[]? body, string? contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if ((int)response.StatusCode >= 400)
        {
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = JsonValue.Create(text);
            }
        }

        return ((int)response.StatusCode, json);
    }

    /// <summary>A route's failure answer: the OpenAI envelope, Anthropic's on the Messages routes, or on the memory-bloc
    /// routes also the control plane's <c>{"ok":false,"operation": string,"error": string,…}</c> (spec 9.3), which their own
    /// refusals use.</summary>
    public static void AssertFailureEnvelope(ApiRoute route, JsonNode? body)
    {
        if (route.AnthropicErrors)
        {
            Assert.True(body is JsonObject { } envelope && (string?)envelope["type"] == "error", $"{route}: not Anthropic's error envelope: {body?.ToJsonString() ?? "(empty)"}");
            AssertEnvelope(route, body);
            return;
        }

        if (route.Template.StartsWith("/acore/blocs", StringComparison.Ordinal) && body is JsonObject o && o["error"] is JsonValue)
        {
            Assert.True(o["ok"] is JsonValue ok && ok.GetValueKind() == JsonValueKind.False, $"{route}: ok is not false: {body.ToJsonString()}");
            Assert.True(o["operation"] is JsonValue op && op.GetValueKind() == JsonValueKind.String, $"{route}: operation is not a string: {body.ToJsonString()}");
            Assert.True(o["error"] is JsonValue e && e.GetValueKind() == JsonValueKind.String && ((string?)e)!.Length > 0,
                $"{route}: error is not a non-empty string: {body.ToJsonString()}");
            return;
        }

        AssertEnvelope(route, body);
    }

    /// <summary>A field of a failure answer: <c>error.&lt;name&gt;</c> in the OpenAI envelope, <c>&lt;name&gt;</c> in the
    /// control plane's (where <c>error</c> is the message). Anthropic's envelope has only <c>type</c> and <c>message</c>.</summary>
    public static string? ErrorField(JsonNode? body, string name) =>
        body?["error"] is JsonObject error ? (string?)error[name] : name == "message" ? (string?)body?["error"] : (string?)body?[name];

    /// <summary>The OpenAI error envelope: <c>{"error":{"message": string, "type": string, …}}</c>.</summary>
    public static void AssertEnvelope(object what, JsonNode? body)
    {
        var error = (body as JsonObject)?["error"];
        Assert.True(error is JsonObject, $"{what}: the answer is not an OpenAI error envelope: {body?.ToJsonString() ?? "(empty)"}");
        Assert.True(error["message"] is JsonValue m && m.GetValueKind() == JsonValueKind.String && ((string?)m)!.Length > 0,
            $"{what}: error.message is not a non-empty string: {body!.ToJsonString()}");
        Assert.True(error["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String,
            $"{what}: error.type is not a string: {body!.ToJsonString()}");
    }
}
