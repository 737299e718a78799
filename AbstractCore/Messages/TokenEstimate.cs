using System.Text.Json;

namespace AbstractCore.Messages;

/// <summary>Token counts where no tokenizer is at hand: about four characters a token, as the providers' own guides estimate.</summary>
public static class TokenEstimate
{
    public static long OfChars(long chars) => (chars + 3) / 4;

    /// <summary>The request's text: system, messages (text, tool inputs and results) and tool definitions.</summary>
    public static long Of(MessagesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long chars = 0;
        Count(request.System, ref chars);
        Count(request.Messages, ref chars);
        chars += request.Tools?.GetRawText().Length ?? 0; // tool schemas reach the model as their JSON
        return OfChars(chars);
    }

    /// <summary>Every string value's length (images and documents count by their text only, never by their base64).</summary>
    private static void Count(JsonElement? element, ref long chars)
    {
        switch (element)
        {
            case { ValueKind: JsonValueKind.String } s:
                chars += s.GetString()!.Length;
                break;
            case { ValueKind: JsonValueKind.Array } a:
                foreach (var item in a.EnumerateArray())
                {
                    Count(item, ref chars);
                }

                break;
            case { ValueKind: JsonValueKind.Object } o:
                foreach (var property in o.EnumerateObject())
                {
                    if (property.Name is not ("data" or "signature" or "type" or "media_type" or "cache_control" or "role"))
                    {
                        Count(property.Value, ref chars);
                    }
                }

                break;
        }
    }
}
