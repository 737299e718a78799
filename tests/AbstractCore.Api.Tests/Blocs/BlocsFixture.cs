using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;

namespace AbstractCore.Api.Tests.Blocs;

/// <summary>A gateway whose bloc store is a temporary folder and whose Inference service is a <see cref="FakeInference"/>.</summary>
public sealed class BlocsFixture : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("acore-blocs-routes-").FullName;

    public FakeInference Inference { get; private set; } = null!;

    public GatewayFactory Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Inference = await FakeInference.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["ABSTRACTCORE_BLOCS_DIR"] = Folder,
            ["ABSTRACTCORE_INFERENCE_URL"] = Inference.Root + "/v1",
        });
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Inference.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    public HttpClient Http() => Gateway.Http(GatewayFixture.Token);

    /// <summary>Upserts a bloc of new text (unique per call, so tests sharing the store do not meet) and returns its record.</summary>
    public async Task<JsonObject> UpsertAsync(string? text = null)
    {
        using var http = Http();
        var body = new JsonObject { ["path"] = "docs/test.md", ["content"] = text ?? "bloc " + Guid.NewGuid() };
        var (response, answer) = await Wire.PostAsync(http, "/acore/blocs/upsert_text", body.ToJsonString());
        Assert.Equal(200, (int)response.StatusCode);
        return answer!["record"]!.AsObject();
    }
}
