using System.Diagnostics;
using AbstractCore.Api.Hosting;

namespace AbstractCore.Api.Logging;

/// <summary>
/// <c>ABSTRACTCORE_DEBUG</c>: one structured log line per request (method, path, query, headers, JSON body) and one
/// per response (status, duration, headers), every secret redacted by <see cref="Redactor"/>. It wraps everything,
/// the server auth check included. Request bodies are read up to <see cref="BodyCap"/> and handed on untouched;
/// response bodies are never read, so streams flow as they would without it.
/// </summary>
internal static partial class RequestLogging
{
    /// <summary>The log category (a filter on it tunes these logs alone).</summary>
    public const string Category = "AbstractCore.Api.Logging.RequestLogging";

    public const int BodyCap = 64 * 1024;

    /// <summary>Lets these logs through (at Information) when <c>ABSTRACTCORE_DEBUG</c> is on, whatever the default
    /// level; decided from the final configuration.</summary>
    public static void AddRequestLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => new UpstreamRefusals(sp.GetRequiredService<ILogger<UpstreamRefusals>>()));
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<LoggerFilterOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<LoggerFilterOptions>(options =>
            {
                if (sp.GetRequiredService<GatewaySettings>().Debug)
                {
                    options.Rules.Add(new LoggerFilterRule(null, Category, LogLevel.Information, null));
                }
            }));
    }

    public static void UseRequestLogging(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<GatewaySettings>().Debug)
        {
            return;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            var request = context.Request;
            var body = await ReadBodyAsync(request, context.RequestAborted);
            LogRequest(logger, context.TraceIdentifier, request.Method, request.Path.Value ?? "/", Redactor.Query(request.QueryString.Value),
                Redactor.Headers(request.Headers), body);
            try
            {
                await next(context);
            }
            finally
            {
                var response = context.Response;
                LogResponse(logger, context.TraceIdentifier, request.Method, request.Path.Value ?? "/", response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, Redactor.Headers(response.Headers));
            }
        });
    }

    /// <summary>Up to <see cref="BodyCap"/> bytes of a JSON body, redacted; the bytes read are put back in front of the
    /// rest of the stream. Anything that cannot be redacted (not JSON, too big) is described, not logged.</summary>
    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return "";
        }

        var contentType = request.ContentType ?? "";
        if (!contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return $"[{contentType} body of {request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes not logged]";
        }

        var buffer = new byte[BodyCap + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        request.Body = new PrefixedStream(buffer.AsMemory(0, read), request.Body);
        if (read > BodyCap)
        {
            return $"[JSON body above {BodyCap} bytes not logged]";
        }

        return Redactor.Json(buffer.AsSpan(0, read)) ?? $"[body of {read} bytes is not valid JSON; not logged]";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "HTTP request {TraceId} {Method} {Path}{Query} headers={Headers} body={Body}")]
    private static partial void LogRequest(ILogger logger, string traceId, string method, string path, string query, string headers, string body);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "HTTP response {TraceId} {Method} {Path} status={Status} duration_ms={DurationMs:0.0} headers={Headers}")]
    private static partial void LogResponse(ILogger logger, string traceId, string method, string path, int status, double durationMs, string headers);

    /// <summary>A read-only stream: the bytes already read, then the rest of the original stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefix.IsEmpty)
            {
                return rest.ReadAsync(buffer, cancellationToken);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer.Span);
            _prefix = _prefix[n..];
            return ValueTask.FromResult(n);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
