using System.Text.Json;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;

namespace AbstractCore.Api.Chat;

/// <summary>Reads and validates a chat body; every problem is a 400 that names the field.</summary>
internal static class ChatRequestReader
{
    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        using var body = await Requests.JsonBody.ReadAsync(http, cancellationToken);
        return Read(body);
    }

    /// <summary>The request bound from a body the caller keeps (to relay its bytes).</summary>
    public static ChatCompletionRequest Read(Requests.JsonBody body)
    {
        var request = body.Bind(OpenAIJsonContext.Wire.ChatCompletionRequest);
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
}
