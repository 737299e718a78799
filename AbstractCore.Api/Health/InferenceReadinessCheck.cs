using AbstractCore.Api.ControlPlane;
using AbstractCore.Providers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AbstractCore.Api.Health;

/// <summary>
/// The Inference service (<c>ABSTRACTCORE_INFERENCE_URL</c>) answers its <c>/ready</c>: healthy when it says Healthy,
/// degraded when it says Degraded (no models), the registration's failure status when it answers anything else or
/// nothing within <see cref="Timeout"/>. The description names scheme, host and port only.
/// </summary>
internal sealed class InferenceReadinessCheck(ControlPlaneForwarder forwarder, UpstreamHttp http) : IHealthCheck
{
    public const string Name = "inference";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (forwarder.InferenceRoot() is not { } root)
        {
            return HealthCheckResult.Healthy("ABSTRACTCORE_INFERENCE_URL is not set.");
        }

        var where = $"{root.Scheme}://{root.Authority}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var response = await http.Client.GetAsync(new Uri(root, HealthEndpoints.ReadyPath.TrimStart('/')), deadline.Token);
            var body = (await response.Content.ReadAsStringAsync(deadline.Token)).Trim();
            if (response.IsSuccessStatusCode)
            {
                return body.Equals("Degraded", StringComparison.OrdinalIgnoreCase)
                    ? HealthCheckResult.Degraded($"Inference at {where} is up but reports Degraded (no models to serve?).")
                    : HealthCheckResult.Healthy($"Inference at {where} is ready.");
            }

            return new HealthCheckResult(context.Registration.FailureStatus,
                $"Inference at {where} answered {(int)response.StatusCode} on /ready{(body.Length is > 0 and <= 40 ? $" ({body})" : "")}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Inference at {where} did not answer /ready within {Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Inference at {where} is unreachable: {e.Message}");
        }
    }
}
