using System.Net.Http.Headers;
using AbstractCore.Chat.Forwarding;
using AbstractCore.Pipeline;
using AbstractCore.Providers;
using AbstractCore.Providers.Anthropic;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Messages;

/// <summary>
/// A Messages request for <c>anthropic/*</c>, passed through: the client's body with only the model and the gateway's
/// fields changed (<see cref="UpstreamChatBody.ForAnthropic"/>), its <c>anthropic-version</c> and <c>anthropic-beta</c>
/// headers, the server's (or the request's) key; the answer, JSON or events, goes back as the upstream sends it.
/// </summary>
internal sealed class AnthropicPassThrough(UpstreamHttp http)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly string[] ClientHeaders = ["anthropic-version", "anthropic-beta"];
    private static readonly string[] AnswerHeaders = ["request-id", "anthropic-organization-id", "retry-after"];

    /// <summary>Sends <paramref name="body"/> to <c>{base}/v1{path}</c> and relays the answer; a refusal throws before anything is written.</summary>
    public async Task SendAsync(
        HttpContext context, ChatPlan plan, byte[] body, string path, Telemetry.ChatCallTelemetry? telemetry, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AnthropicApi.Base(plan.Endpoint.BaseUrl) + path)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = Json } },
        };
        if (plan.Endpoint.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        foreach (var name in ClientHeaders)
        {
            var value = context.Request.Headers[name];
            request.Headers.TryAddWithoutValidation(name, value.Count > 0 ? value.ToString() : name == "anthropic-version" ? AnthropicApi.Version : null);
        }

        foreach (var (name, value) in plan.Endpoint.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.RelayFor(plan.Endpoint).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        ContentDecoding.Apply(response);
        if (!response.IsSuccessStatusCode)
        {
            throw await UpstreamHttpException.FromAsync(response, cancellationToken);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        foreach (var name in AnswerHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        var stream = context.Response.ContentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (stream)
        {
            Hosting.EventStream.Begin(context);
        }

        // Kestrel sends each write as it is made: events leave as they arrive.
        var usage = telemetry is null ? null : new AnthropicUsage(telemetry);
        if (!stream && usage is not null)
        {
            // A message is small: read whole, so its usage (and cost header) comes before its body.
            var message = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            usage.Message(message);
            await context.Response.Body.WriteAsync(message, cancellationToken);
            return;
        }

        await using var answer = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (!stream)
        {
            await answer.CopyToAsync(context.Response.Body, cancellationToken);
            return;
        }

        try
        {
            await RelayEventsAsync(answer, context.Response.Body, usage, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !context.RequestAborted.IsCancellationRequested)
        {
            // The upstream died mid-stream: the client hears it as Anthropic's error event, never as a silent end.
            var failure = UpstreamFailure.From(e, plan.Model.Provider);
            await context.Response.Body.WriteAsync(MessagesSse.Error("api_error", failure.Message), CancellationToken.None);
        }
    }

    /// <summary>Copies whole events only (up to the last blank line read), so a cut leaves no half event for the client to parse.</summary>
    private static async Task RelayEventsAsync(Stream answer, Stream client, AnthropicUsage? usage, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var kept = 0;
            while (true)
            {
                if (kept == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, kept).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await answer.ReadAsync(buffer.AsMemory(kept), cancellationToken);
                if (read == 0)
                {
                    if (kept > 0)
                    {
                        await client.WriteAsync(buffer.AsMemory(0, kept), cancellationToken);
                    }

                    return;
                }

                kept += read;
                var cut = WholeEvents(buffer.AsSpan(0, kept));
                if (cut > 0)
                {
                    usage?.Events(buffer.AsSpan(0, cut));
                    await client.WriteAsync(buffer.AsMemory(0, cut), cancellationToken);
                    buffer.AsSpan(cut, kept - cut).CopyTo(buffer);
                    kept -= cut;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The length of the whole events at the start of <paramref name="read"/>: up to its last blank line (LF or CRLF).</summary>
    private static int WholeEvents(ReadOnlySpan<byte> read)
    {
        var lf = read.LastIndexOf("\n\n"u8);
        var crlf = read.LastIndexOf("\n\r\n"u8);
        return Math.Max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 3);
    }
}
