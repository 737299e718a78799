using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AbstractCore.TestKit.FakeOllama;

/// <summary>
/// Ollama's <c>POST /api/embed</c>: <c>{"model","input": string | [string], "dimensions"?}</c> answered with
/// <c>{"model","embeddings":[[…]],"total_duration","load_duration","prompt_eval_count"}</c>; an unknown model is
/// Ollama's 404 <c>{"error":"model \"x\" not found, try pulling it first"}</c>.
/// </summary>
public sealed partial class FakeOllamaUpstream
{
    /// <summary>Models <c>/api/embed</c> knows (a bare name matches its <c>:latest</c> tag).</summary>
    public ConcurrentBag<string> EmbeddingModels { get; } = ["nomic-embed-text:latest"];

    /// <summary>The vector for input <paramref name="item"/> at position <paramref name="dimension"/>: predictable for assertions.</summary>
    public static double EmbeddingValue(int item, int dimension) => Math.Round(0.5 + item + dimension / 100.0, 4);

    private async Task EmbedAsync(HttpResponse response, string body, CancellationToken cancellationToken)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }

        var model = request?["model"]?.GetValueKind() == JsonValueKind.String ? (string?)request["model"] : null;
        if (request is null || model is null)
        {
            await WriteErrorAsync(response, 400, "invalid request body", cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!Has(EmbeddingModels, model))
        {
            await WriteErrorAsync(response, 404, $"model \"{model}\" not found, try pulling it first", cancellationToken).ConfigureAwait(false);
            return;
        }

        string[] inputs = request["input"] switch
        {
            JsonArray array => [.. array.Select(i => (string?)i ?? "")],
            JsonValue value when value.GetValueKind() == JsonValueKind.String => [(string)value!],
            _ => [],
        };
        var dimensions = request["dimensions"] is JsonValue d && d.TryGetValue<int>(out var n) && n > 0 ? n : 3;
        await WriteJsonAsync(response, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("model"u8, model);
            w.WriteStartArray("embeddings"u8);
            for (var i = 0; i < inputs.Length; i++)
            {
                w.WriteStartArray();
                for (var j = 0; j < dimensions; j++)
                {
                    w.WriteNumberValue(EmbeddingValue(i, j));
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteNumber("total_duration"u8, 14143917);
            w.WriteNumber("load_duration"u8, 1019500);
            w.WriteNumber("prompt_eval_count"u8, inputs.Sum(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
    }
}
