using System.Text.Json.Nodes;
using AbstractCore.Api.Auth;
using AbstractCore.Api.ControlPlane;
using AbstractCore.Api.Hosting;
using AbstractCore.Upstream;

namespace AbstractCore.Api.Blocs;

/// <summary>
/// What every <c>/acore/blocs/*</c> route shares: reading the call, proxy mode (with <c>base_url</c> the whole call goes
/// to that upstream AbstractEndpoint, spec 9.3), the refusals as <c>{"ok":false,…}</c>, and calls to the local
/// Inference service, which holds the KV artifacts.
/// </summary>
internal sealed class BlocForwarding(ControlPlaneForwarder forwarder, GatewaySettings settings)
{
    /// <summary>Runs <paramref name="local"/> unless the call names a <c>base_url</c>; <paramref name="path"/> is the
    /// route's own path, called on the upstream's root.</summary>
    public async Task<IResult> RunAsync(HttpContext context, string operation, string path, Func<BlocCall, CancellationToken, Task<IResult>> local)
    {
        try
        {
            var call = await BlocCall.ReadAsync(context, operation);
            return call.Text("base_url") is { } baseUrl
                ? await ProxyAsync(context, call, baseUrl, path)
                : await local(call, context.RequestAborted);
        }
        catch (BlocProblem problem)
        {
            return BlocAnswers.Fail(operation, problem);
        }
    }

    /// <summary>Whether an Inference service is configured.</summary>
    public bool HasInference => forwarder.InferenceRoot() is not null;

    /// <summary>A call to the Inference service (a GET with <paramref name="query"/> when <paramref name="body"/> is null).
    /// Not configured: the prompt-cache routes' 404; unreachable: 502.</summary>
    public async Task<(int Status, string Body)> InferenceAsync(string path, JsonObject? body, string? query, CancellationToken cancellationToken)
    {
        var root = forwarder.InferenceRoot() ?? throw new BlocProblem(404, ControlPlaneForwarder.RuntimeNotFound);
        try
        {
            return await forwarder.SendAsync(root, path, body, query, null, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new BlocProblem(502, $"Could not reach the local inference service: {e.Message}");
        }
    }

    /// <summary>
    /// The call as it came, minus <c>base_url</c>, to the same path on the upstream's root (<c>/v1</c> dropped), under the
    /// base_url policy of every route (403 when refused); the bearer is the caller's provider key, never the server's.
    /// The upstream's status and body come back with <c>upstream</c> added; a transport failure is a 502.
    /// </summary>
    private async Task<IResult> ProxyAsync(HttpContext context, BlocCall call, string baseUrl, string path)
    {
        var aborted = context.RequestAborted;
        Uri root;
        AbstractCore.Security.BaseUrlGrant grant;
        try
        {
            (root, grant) = await forwarder.ProxyRootAsync(baseUrl, aborted);
        }
        catch (GatewayException e)
        {
            throw new BlocProblem(e.Status, e.Message);
        }

        var forwarded = (JsonObject)call.Fields.DeepClone();
        forwarded.Remove("base_url");
        var bearer = context.Request.Headers.ProviderKey(settings.AuthEnabled);
        var upstream = new Uri(root, path).AbsoluteUri;
        int status;
        string text;
        try
        {
            (status, text) = await forwarder.SendAsync(root, path, call.IsGet ? null : forwarded,
                call.IsGet ? ControlPlaneRequest.Query(forwarded) : null, bearer, aborted, grant);
        }
        catch (HttpRequestException e)
        {
            // A connection the base_url rule refused (the name now points elsewhere) reads as the policy's refusal.
            if (UpstreamFailure.RefusalWithin(e) is { } refused)
            {
                throw new BlocProblem(refused.Status, refused.Message);
            }

            throw new BlocProblem(502, $"Could not reach the upstream AbstractEndpoint: {e.Message}", new JsonObject { ["upstream"] = upstream });
        }
        catch (TaskCanceledException e) when (!aborted.IsCancellationRequested)
        {
            throw new BlocProblem(502, $"The upstream AbstractEndpoint did not answer in time: {e.Message}", new JsonObject { ["upstream"] = upstream });
        }

        var parsed = ControlPlaneForwarder.ParseJson(text);
        if (parsed is not JsonObject answer)
        {
            answer = new JsonObject { ["ok"] = status < 400, ["operation"] = call.Operation, [status < 400 ? "data" : "error"] = parsed ?? text };
        }

        answer["upstream"] = upstream;
        return BlocAnswers.Json(answer, status);
    }
}
