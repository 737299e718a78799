using System.Text.Json;

namespace AbstractCore.Messages;

/// <summary>What a Messages body must hold before anything is planned, with Anthropic's rules: <c>model</c>,
/// <c>messages</c> and a positive integer <c>max_tokens</c> are required.</summary>
public static class MessagesRules
{
    public static void Validate(MessagesRequest request, bool countOnly = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw GatewayException.BadRequest("'model' is required (provider/model, e.g. anthropic/claude-sonnet-4-5 or openai/gpt-4o-mini).", "model");
        }

        if (request.Messages is not { ValueKind: JsonValueKind.Array })
        {
            throw GatewayException.BadRequest("'messages' is required: an array of {role, content} turns.", "messages");
        }

        if (!countOnly)
        {
            MaxTokens(request);
        }
    }

    /// <summary><c>max_tokens</c>, which Anthropic requires (a positive integer).</summary>
    public static int MaxTokens(MessagesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.MaxTokens switch
        {
            null or { ValueKind: JsonValueKind.Null } => throw GatewayException.BadRequest("max_tokens: Field required", "max_tokens"),
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var value) && value >= 1 => value,
            _ => throw GatewayException.BadRequest("max_tokens must be a positive integer.", "max_tokens"),
        };
    }

    /// <summary>A flag sent as a JSON boolean or as "true"/"false".</summary>
    public static bool? Bool(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
        _ => throw GatewayException.BadRequest($"'{name}' must be true or false.", name),
    };
}
