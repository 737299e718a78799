using AbstractCore.OpenAI.Errors;

namespace AbstractCore;

/// <summary>
/// A failure with a known HTTP answer: the Api turns it into the OpenAI error envelope with this status.
/// </summary>
public sealed class GatewayException(int status, string message, string type, string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Response headers to keep (for instance an upstream's <c>Retry-After</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public ErrorEnvelope ToEnvelope() => ErrorEnvelope.Create(Message, Type, Param, Code);

    public static GatewayException BadRequest(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);
}
