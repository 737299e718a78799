using AbstractCore.Inference.Scheduling;
using AbstractCore.OpenAI.Errors;
using AbstractCore.OpenAI.Json;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AbstractCore.Inference.Hosting;

/// <summary>Every failure leaves as the OpenAI error envelope: refused requests with their status, a busy model
/// with 429 and Retry-After, anything unexpected with 500 (never an empty or HTML body).</summary>
internal static partial class ErrorReplies
{
    public static IApplicationBuilder UseInferenceErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !(e is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            var (status, envelope) = e switch
            {
                InferenceException i => (i.Status, ErrorEnvelope.Create(i.Message, i.Type, i.Param, i.Code)),
                QueueFullException q => (429, ErrorEnvelope.Create(q.Message, "rate_limit_error", null, "model_busy")),
                BadHttpRequestException b => (b.StatusCode, ErrorEnvelope.Create(b.Message, "invalid_request_error")),
                OnnxRuntimeGenAIException g => (500, ErrorEnvelope.Create($"The model failed: {g.Message}", "server_error", null, "model_error")),
                Microsoft.ML.OnnxRuntime.OnnxRuntimeException o => (500, ErrorEnvelope.Create($"The model failed: {o.Message}", "server_error", null, "model_error")),
                _ => (500, ErrorEnvelope.Create("Internal server error", "server_error")),
            };

            if (status >= 500)
            {
                Failed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.Inference"), e, context.Request.Path);
            }

            if (e is QueueFullException)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(envelope, OpenAIJsonContext.Wire.ErrorEnvelope);
        }
    });

    [LoggerMessage(10, LogLevel.Error, "Request {Path} failed")]
    private static partial void Failed(ILogger logger, Exception exception, string path);
}
