using System.Text.Json;
using AbstractCore.OpenAI.Responses;

namespace AbstractCore.Responses;

/// <summary>The Responses-only fields OpenAI validates, checked the same way (400 naming the field).</summary>
public static class ResponsesRequestRules
{
    /// <summary>The <c>include</c> values OpenAI accepts. Those naming outputs the gateway does not produce
    /// (hosted tool results, encrypted reasoning) are accepted and have nothing to add.</summary>
    private static readonly HashSet<string> Includable = new(StringComparer.Ordinal)
    {
        "code_interpreter_call.outputs", "computer_call_output.output.image_url", "file_search_call.results",
        "message.input_image.image_url", "message.output_text.logprobs", "reasoning.encrypted_content",
        "web_search_call.action.sources", "web_search_call.results",
    };

    public static void Validate(ResponsesRequest request)
    {
        Chat.ChatRequestRules.Positive(request.MaxOutputTokens, "max_output_tokens");

        if (request.Truncation is { ValueKind: not JsonValueKind.Null } truncation &&
            (truncation.ValueKind != JsonValueKind.String || truncation.GetString() is not ("auto" or "disabled")))
        {
            throw GatewayException.BadRequest("'truncation' must be 'auto' or 'disabled'.", "truncation");
        }

        if (request.Include is { ValueKind: not JsonValueKind.Null } include)
        {
            if (include.ValueKind != JsonValueKind.Array)
            {
                throw GatewayException.BadRequest("'include' must be an array of strings.", "include");
            }

            var i = 0;
            foreach (var value in include.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.String || !Includable.Contains(value.GetString()!))
                {
                    throw GatewayException.BadRequest(
                        $"include[{i}] {value.GetRawText()} is not one of {string.Join(", ", Includable.Order(StringComparer.Ordinal))}.", $"include[{i}]");
                }

                i++;
            }
        }

        if (request.Metadata is { ValueKind: not JsonValueKind.Null } metadata)
        {
            ValidateMetadata(metadata);
        }
    }

    /// <summary>OpenAI's metadata limits: at most 16 pairs, keys up to 64 characters, string values up to 512.</summary>
    private static void ValidateMetadata(JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw GatewayException.BadRequest("'metadata' must be an object of string values.", "metadata");
        }

        var count = 0;
        foreach (var pair in metadata.EnumerateObject())
        {
            if (++count > 16)
            {
                throw GatewayException.BadRequest("'metadata' can hold at most 16 key-value pairs.", "metadata");
            }

            if (pair.Name.Length > 64)
            {
                throw GatewayException.BadRequest($"metadata key '{pair.Name[..64]}…' is longer than 64 characters.", "metadata");
            }

            if (pair.Value.ValueKind != JsonValueKind.String || pair.Value.GetString()!.Length > 512)
            {
                throw GatewayException.BadRequest($"metadata.{pair.Name} must be a string of at most 512 characters.", $"metadata.{pair.Name}");
            }
        }
    }
}
