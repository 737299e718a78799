using System.Net;
using System.Runtime;
using System.Text;
using AbstractCore.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>
/// Issue 13 point 4b: reading a ~60 MB authenticated chat (or Responses) body must cost about one copy of it and leave
/// nothing behind. The streamed parse it replaced grew its read buffer by doubling up to 64 MB, every size rented from the
/// shared array pool, which kept them per thread after the request (188 MB after three requests here); the Responses
/// route copied the body twice more on top.
/// The body names an unknown provider, so the request ends right after the parse (404) and what is measured is the
/// gateway's reading alone. Both figures are deterministic byte counts, never times. bench/large-body.sh gives the
/// whole process's figures for a full call through an upstream.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class LargeBodyMemoryTests(GatewayFixture fx, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private const int BodyMegabytes = 60;

    /// <summary>What may stay on the heap after three such requests, pools included.</summary>
    private const long RetainedBound = 16L * 1024 * 1024;

    /// <summary>Allocated per request, in bodies: the gateway's one read of it and the parsed message, plus what the
    /// in-memory test host allocates to carry the body (about two more). Copying the body through a growing
    /// MemoryStream and then to an array, as the Responses route did, took it past six.</summary>
    private const double AllocatedBodiesBound = 5;

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/responses")]
    public async Task A_60_MB_body_is_read_once_and_leaves_nothing_behind(string path)
    {
        using var http = fx.Http();
        var body = Body(path, BodyMegabytes);
        await PostAsync(http, path, Body(path, 1)); // warm-up: JIT and first-use caches are not what this measures
        var before = Retained();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        for (var i = 0; i < 3; i++)
        {
            await PostAsync(http, path, body);
        }

        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 3;
        var retained = Retained() - before;
        output.WriteLine($"{path}: body {body.Length / 1048576} MB, allocated {allocated / 1048576} MB per request, retained {retained / 1048576} MB after a full GC");
        Assert.True(retained < RetainedBound, $"{retained / 1048576} MB stayed on the heap after three {BodyMegabytes} MB bodies (bound {RetainedBound / 1048576} MB)");
        Assert.True(allocated < body.Length * AllocatedBodiesBound, $"{allocated / 1048576} MB allocated per {body.Length / 1048576} MB body (bound {AllocatedBodiesBound} bodies)");
    }

    private static async Task PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync(path, content);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // parsed, then: unknown provider
    }

    private static byte[] Body(string path, int megabytes)
    {
        var text = new StringBuilder(megabytes * 1024 * 1024);
        while (text.Length < megabytes * 1024 * 1024)
        {
            text.Append("lorem ipsum dolor sit amet ");
        }

        return Encoding.UTF8.GetBytes(path.EndsWith("responses", StringComparison.Ordinal)
            ? $$"""{"model":"no-such-provider/m","input":"{{text}}"}"""
            : $$"""{"model":"no-such-provider/m","messages":[{"role":"user","content":"{{text}}"}]}""");
    }

    private static long Retained()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
