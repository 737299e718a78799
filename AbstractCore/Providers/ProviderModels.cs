using System.Text.Json;
using AbstractCore.OpenAI.Models;

namespace AbstractCore.Providers;

/// <summary>Asks OpenAI-compatible upstreams for their models (<c>GET {base}/models</c>); the caller sets the deadline.</summary>
public sealed class ProviderModels(UpstreamHttp http)
{
    public async Task<List<ModelInfo>> ListAsync(ProviderEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var request = UpstreamRequests.Create(endpoint, HttpMethod.Get, "/models");

        using var response = await http.For(endpoint).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);

        var models = new List<ModelInfo>();
        if (doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in data.EnumerateArray())
            {
                if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    models.Add(new ModelInfo
                    {
                        Id = $"{endpoint.Provider.Name}/{id.GetString()}",
                        OwnedBy = endpoint.Provider.Name,
                        Created = item.TryGetProperty("created", out var c) && c.TryGetInt64(out var created) ? created : 0,
                        Type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null,
                    });
                }
            }
        }

        return models;
    }
}
