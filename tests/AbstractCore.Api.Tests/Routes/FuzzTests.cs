using System.Globalization;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Routes;

/// <summary>
/// Generated malformed bodies (a fixed seed, so a failure replays) sent to every route of <see cref="ApiRoutes.WithBody"/>:
/// no 5xx unless the request really reached an upstream, every error in the OpenAI envelope (or, on the bloc routes, the
/// control plane's <c>{"ok":false,…}</c>), and nothing retained.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class FuzzTests(RoutesFixture fx) : IClassFixture<RoutesFixture>
{
    private const int Seed = 13;
    private const int CasesPerRoute = 100;

    /// <summary>
    /// How much the managed heap (after a full GC) may grow over the run. What stays by design is small: the fakes'
    /// request records, the in-memory response and job stores, pooled buffers (about 6 MB measured). The run sends some
    /// 150 MB, over 200 bodies of 256 KB to 1 MB among them: a reader that kept bodies or their parsed copies alive
    /// would retain far more than this.
    /// </summary>
    private const long MaxHeapGrowthBytes = 32L * 1024 * 1024;

    /// <summary>
    /// How much the process's working set may grow over the run. The issue saw +790 MB that stayed after four 63 MB
    /// bodies; here the largest body is 1 MB, so the GC's own headroom is all that should remain.
    /// </summary>
    private const long MaxWorkingSetGrowthBytes = 256L * 1024 * 1024;

    [Fact]
    public async Task Malformed_bodies_get_no_5xx_unless_sent_upstream_and_every_error_is_the_envelope()
    {
        var random = new Random(Seed);
        var bodies = new FuzzBodies(random);
        using var http = fx.Http();
        http.Timeout = TimeSpan.FromSeconds(30); // a hang is a failure, not a stuck suite
        var failures = new List<string>();
        foreach (var route in ApiRoutes.WithBody)
        {
            // One valid call per route first: what the first call builds (clients, caches) is not a leak.
            var (valid, contentType) = fx.Examples[route].Encode();
            await RouteCalls.SendAsync(http, route, valid, contentType);
        }

        await UpstreamQuietAsync(); // the warm-up's jobs call upstreams in the background

        var (heapBefore, workingSetBefore) = SettledMemory();
        var (cases, sentBytes) = (0, 0L);

        // Job submissions last: their jobs call upstreams in the background, which would blur whether a later request
        // was sent. A submission answers before its job runs, so it never has that excuse for a 5xx.
        foreach (var route in ApiRoutes.WithBody.OrderBy(IsJobSubmission))
        {
            var example = fx.Examples[route];
            for (var i = 0; i < CasesPerRoute; i++)
            {
                var fuzz = bodies.Next(example);
                var sentBefore = fx.UpstreamCalls;
                var (status, body) = await RouteCalls.SendAsync(http, route, fuzz.Body, fuzz.ContentType);
                var sent = fx.UpstreamCalls != sentBefore && !IsJobSubmission(route);
                (cases, sentBytes) = (cases + 1, sentBytes + fuzz.Body.Length);

                if (status >= 500 && status != 501 && !sent)
                {
                    // 501 is the gateway's "not configured / not supported" answer, not a failure.
                    failures.Add($"{route} [{fuzz.What}] → {status} without an upstream call: {body?.ToJsonString()}");
                }

                if (status >= 400)
                {
                    try
                    {
                        RouteCalls.AssertFailureEnvelope(route, body);
                    }
                    catch (Xunit.Sdk.XunitException e)
                    {
                        failures.Add($"{route} [{fuzz.What}] → {status}: {e.Message}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n" + string.Join("\n", failures.Take(30)));

        var (heapAfter, workingSetAfter) = SettledMemory();
        var (heapGrowth, workingSetGrowth) = (heapAfter - heapBefore, workingSetAfter - workingSetBefore);
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{cases} cases, {sentBytes >> 20} MB sent: heap +{heapGrowth >> 20} MB, working set +{workingSetGrowth >> 20} MB");
        Console.WriteLine(figures);
        Assert.True(heapGrowth < MaxHeapGrowthBytes, figures);
        Assert.True(workingSetGrowth < MaxWorkingSetGrowthBytes, figures);
    }

    /// <summary>
    /// The heap and working set after a compacting collection of every generation (the large object heap too), so the
    /// figures count what is kept, not garbage or free space the collector has not given back yet.
    /// </summary>
    private static (long Heap, long WorkingSet) SettledMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
    }

    /// <summary>Waits (boundedly) until no upstream call has arrived for a moment.</summary>
    private async Task UpstreamQuietAsync()
    {
        for (var (i, last) = (0, -1); i < 100 && fx.UpstreamCalls != last; i++)
        {
            last = fx.UpstreamCalls;
            await Task.Delay(200);
        }
    }

    private static bool IsJobSubmission(ApiRoute route) => route.Template.StartsWith("/v1/vision/jobs/", StringComparison.Ordinal);
}
