using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;

namespace AbstractCore.Api.Chat;

/// <summary>Reads and validates a chat body; every problem is a 400 that names the field.</summary>
public static class ChatRequestReader
{
    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        ChatCompletionRequest? request;
        try
        {
            var body = await Hosting.RequestBody.ReadAsync(http, cancellationToken); // one array, parsed in one pass
            request = JsonSerializer.Deserialize(body, OpenAIJsonContext.Wire.ChatCompletionRequest);
        }
        catch (JsonException e)
        {
            throw Invalid(e);
        }

        if (request is null)
        {
            throw GatewayException.BadRequest("The request body must be a JSON object.");
        }

        RequireModelWithoutKey(request.Model, request.Extra);

        if (request.Messages is null)
        {
            throw GatewayException.BadRequest("'messages' is required.", "messages");
        }

        if (request.Messages.Count == 0 || request.Messages.Any(m => m is null))
        {
            throw GatewayException.BadRequest("'messages' must be a non-empty array of message objects.", "messages");
        }

        return request;
    }

    /// <summary>Shared by every body that names a model: the model is required, a body api_key is refused.</summary>
    public static void RequireModelWithoutKey(string? model, IReadOnlyDictionary<string, JsonElement>? extra)
    {
        Auth.KeyPlacement.RejectBodyApiKey(extra);

        if (string.IsNullOrWhiteSpace(model))
        {
            throw GatewayException.BadRequest("'model' is required, as 'provider/model' (for example 'openai/gpt-4o-mini').", "model");
        }
    }

    private static GatewayException Invalid(JsonException e)
    {
        var param = e.Path is null or "$" ? null : e.Path.TrimStart('$', '.');
        if (e.BytePositionInLine is null || e.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return param is null
                ? GatewayException.BadRequest("The request body must be a JSON object.")
                : GatewayException.BadRequest($"'{param}' has the wrong type.", param);
        }

        return GatewayException.BadRequest(
            $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", param);
    }
}
