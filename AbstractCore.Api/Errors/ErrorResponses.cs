using AbstractCore.OpenAI.Errors;
using AbstractCore.OpenAI.Json;
using AbstractCore.Storage;

namespace AbstractCore.Api.Errors;

/// <summary>Every error leaves the gateway in the OpenAI envelope.</summary>
public static partial class ErrorResponses
{
    public static Task WriteAsync(HttpContext context, GatewayException error)
    {
        if (error.Headers is not null)
        {
            foreach (var (name, value) in error.Headers)
            {
                context.Response.Headers[name] = value;
            }
        }

        if (error.Status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return WriteAsync(context, error.Status, error.ToEnvelope());
    }

    public static async Task WriteAsync(HttpContext context, int status, ErrorEnvelope envelope)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, envelope,
            OpenAIJsonContext.Wire.ErrorEnvelope, context.RequestAborted);
    }

    /// <summary>Catches what a handler threw. Known failures keep their status; anything else is a bug,
    /// logged with its stack and answered 500 without internals.</summary>
    public static void UseGatewayErrors(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.Api.Errors");
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (GatewayException e) when (!context.Response.HasStarted)
            {
                if (e.Status >= 500)
                {
                    LogFailure(logger, context.Request.Path, e.Status, e.Message);
                }

                await WriteAsync(context, e);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.StatusCode, ErrorEnvelope.Create(e.Message, "invalid_request_error"));
            }
            catch (Exception e) when (StoreUnavailable.Is(e) && !context.Response.HasStarted)
            {
                LogStoreUnavailable(logger, context.Request.Path, StoreUnavailable.Describe(e));
                await WriteAsync(context, StoreUnavailable.Error());
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nobody is left to answer.
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                LogUnhandled(logger, e, context.Request.Path);
                await WriteAsync(context, 500, ErrorEnvelope.Create("Internal server error", "server_error"));
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered {Status}: {Message}")]
    private static partial void LogFailure(ILogger logger, string path, int status, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503 store_unavailable: Redis did not answer ({Reason}). " +
        "Check that the Redis of ConnectionStrings:cache is running and reachable; the gateway reconnects by itself.")]
    private static partial void LogStoreUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}; this is a gateway bug, please report it")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
