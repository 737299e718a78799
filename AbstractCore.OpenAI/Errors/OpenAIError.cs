using System.Text.Json.Serialization;

namespace AbstractCore.OpenAI.Errors;

/// <summary>The OpenAI error envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed class ErrorEnvelope
{
    [JsonPropertyName("error")] public required ErrorBody Error { get; init; }

    public static ErrorEnvelope Create(string message, string type, string? param = null, string? code = null) =>
        new() { Error = new ErrorBody { Message = message, Type = type, Param = param, Code = code } };
}

public sealed class ErrorBody
{
    [JsonPropertyName("message")] public required string Message { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("param")] public string? Param { get; init; }
    [JsonPropertyName("code")] public string? Code { get; init; }
}
