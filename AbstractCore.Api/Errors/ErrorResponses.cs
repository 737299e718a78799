using System.Text.RegularExpressions;
using AbstractCore.OpenAI.Errors;
using AbstractCore.OpenAI.Json;
using AbstractCore.Storage;
using Microsoft.AspNetCore.WebUtilities;

namespace AbstractCore.Api.Errors;

/// <summary>Every error leaves the gateway in the OpenAI envelope, or on the routes Anthropic clients call in theirs (<see cref="AnthropicErrors"/>).</summary>
internal static partial class ErrorResponses
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
        if (AnthropicErrors.Apply(context))
        {
            await AnthropicErrors.WriteAsync(context, status, envelope.Error.Message);
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, envelope,
            OpenAIJsonContext.Wire.ErrorEnvelope, context.RequestAborted);
    }

    /// <summary>
    /// A query or route value that does not bind (<c>?consume=maybe</c>) throws instead of ending in an empty 400, so it
    /// is answered below like every other bad request, with the framework's message naming the parameter. (The other
    /// way, a status-code page, would only know "400", not which parameter failed.)
    /// </summary>
    public static void AddGatewayErrors(this IServiceCollection services) =>
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

    /// <summary>Catches what a handler threw. Known failures keep their status; anything else is a bug,
    /// logged with its stack and answered 500 without internals.</summary>
    public static void UseGatewayErrors(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AbstractCore.Api.Errors");
        var refusals = app.Services.GetRequiredService<AbstractCore.Api.Logging.UpstreamRefusals>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
                if (IsEmptyError(context))
                {
                    // Routing's own answers (405 for a wrong method, 404 for no route) carry no body.
                    await WriteAsync(context, context.Response.StatusCode, EmptyAnswer(context));
                }
            }
            catch (GatewayException e) when (!context.Response.HasStarted)
            {
                if (e.Status >= 500)
                {
                    LogFailure(logger, context.Request.Path, e.Status, e.Message);
                }

                refusals.Note(context, e);

                await WriteAsync(context, e);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.StatusCode, ErrorEnvelope.Create(e.Message, "invalid_request_error", BoundParameter(e.Message)));
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

    private static bool IsEmptyError(HttpContext context) =>
        context.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null, ContentType: null } &&
        !HttpMethods.IsHead(context.Request.Method);

    private static ErrorEnvelope EmptyAnswer(HttpContext context)
    {
        var (request, status) = (context.Request, context.Response.StatusCode);
        var allow = context.Response.Headers.Allow.ToString();
        var message = status switch
        {
            405 => $"{request.Method} is not allowed on {request.Path}" + (allow.Length > 0 ? $"; use {allow}." : "."),
            404 => $"No route matches {request.Method} {request.Path}.",
            _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : $"HTTP {status}.",
        };
        return ErrorEnvelope.Create(message, status >= 500 ? "server_error" : "invalid_request_error",
            code: status == 405 ? "method_not_allowed" : null);
    }

    /// <summary>The parameter a binding failure names (<c>Failed to bind parameter "bool? consume" from "maybe".</c>).</summary>
    private static string? BoundParameter(string message) =>
        BindingMessage().Match(message) is { Success: true } m ? m.Groups["name"].Value : null;

    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>[A-Za-z_][A-Za-z0-9_]*)"(?= |\.|$)""")]
    private static partial Regex BindingMessage();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered {Status}: {Message}")]
    private static partial void LogFailure(ILogger logger, string path, int status, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503 store_unavailable: Redis did not answer ({Reason}). " +
        "Check that the Redis of ConnectionStrings:cache is running and reachable; the gateway reconnects by itself.")]
    private static partial void LogStoreUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}; this is a gateway bug, please report it")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
