namespace Microsoft.Extensions.Hosting;

/// <summary>
/// OpenTelemetry GenAI semantic-convention names (attributes and instruments) shared by the gateway and the Inference
/// service, spelled as Microsoft.Extensions.AI 10 spells them. <c>gen_ai.system</c> is the older name of
/// <c>gen_ai.provider.name</c>; both are set so either generation of backends groups by provider.
/// </summary>
public static class GenAiConventions
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string System = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestStream = "gen_ai.request.stream";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string ResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    /// <summary><c>gen_ai.operation.name</c> of a chat completion (and of a Responses call, which is one).</summary>
    public const string ChatOperation = "chat";

    public const string InputTokenType = "input";
    public const string OutputTokenType = "output";

    /// <summary>Histogram, <c>{token}</c>: tokens per call, by <c>gen_ai.token.type</c>.</summary>
    public const string ClientTokenUsage = "gen_ai.client.token.usage";

    /// <summary>Histogram, seconds: a whole upstream call.</summary>
    public const string ClientOperationDuration = "gen_ai.client.operation.duration";

    /// <summary>Histogram, seconds: from the call to its first streamed chunk.</summary>
    public const string ClientTimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";

    /// <summary>Histogram, seconds: a request to a model server, as the server measures it.</summary>
    public const string ServerRequestDuration = "gen_ai.server.request.duration";

    /// <summary>Histogram, seconds: from a server's request to its first generated token.</summary>
    public const string ServerTimeToFirstToken = "gen_ai.server.time_to_first_token";

    /// <summary>The semantic conventions' bucket advice for token counts.</summary>
    public static IReadOnlyList<long> TokenBuckets { get; } =
        [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The semantic conventions' bucket advice for GenAI durations, in seconds.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
}
