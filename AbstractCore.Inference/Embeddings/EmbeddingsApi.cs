using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using AbstractCore.Inference.Hosting;
using AbstractCore.Inference.Models;
using AbstractCore.Inference.Scheduling;
using Microsoft.ML.OnnxRuntime;

namespace AbstractCore.Inference.Embeddings;

/// <summary><c>POST /v1/embeddings</c>: validate, tokenize (refusing or cutting what is too long), wait for a slot of the
/// model's gate, embed the whole list in batches, answer OpenAI's shape with the tokens used.</summary>
internal static class EmbeddingsApi
{
    public static IEndpointRouteBuilder MapEmbeddings(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/embeddings", HandleAsync).WithName("Embeddings");
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context, EmbeddingModels models, ModelCatalog chatModels, Scheduler scheduler)
    {
        var aborted = context.RequestAborted;
        var request = EmbeddingsRequest.From(await JsonReply.ReadObjectAsync(context.Request, aborted));
        var folder = models.Find(request.Model) ?? throw NotFound(request.Model, chatModels);
        var model = await LoadAsync(models, folder);
        var dimensions = Dimensions(model, request.Dimensions);

        var tokens = new int[request.Inputs.Count][];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = model.Tokenize(request.Inputs[i], request.Truncate, out var length) ?? throw InferenceException.BadRequest(
                $"Input{(tokens.Length > 1 ? $" at index {i}" : "")} is {length} tokens; the model '{folder.Name}' takes at most {folder.MaxLength}. " +
                "Shorten it, or send \"truncate\": true to cut it to the limit.", "input", "context_length_exceeded");
        }

        float[][] vectors;
        using (await scheduler.For(folder.Name).EnterAsync(aborted))
        {
            vectors = await Task.Run(() => model.Embed(tokens, dimensions), CancellationToken.None);
        }

        var used = tokens.Sum(t => t.Length);
        var buffer = new ArrayBufferWriter<byte>(1024 + (vectors.Length * dimensions * (request.Base64 ? 6 : 12)));
        Write(buffer, vectors, ModelCatalog.Normalize(request.Model)!, used, request.Base64);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, aborted);
    }

    private static async Task<EmbeddingModel> LoadAsync(EmbeddingModels models, EmbeddingFolder folder)
    {
        try
        {
            return await models.LoadAsync(folder);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or NotSupportedException or IOException or JsonException or KeyNotFoundException)
        {
            throw new InferenceException(502, $"Loading '{folder.Name}' failed: {e.Message}", "server_error", "model", "provider_load_failed");
        }
    }

    /// <summary>The width to answer: the model's, or fewer when its folder allows truncating (a Matryoshka-trained model).</summary>
    private static int Dimensions(EmbeddingModel model, int? requested)
    {
        if (requested is not { } wanted || wanted == model.Dimensions)
        {
            return model.Dimensions;
        }

        if (wanted > model.Dimensions)
        {
            throw InferenceException.BadRequest($"'dimensions' is {wanted}; the model '{model.Folder.Name}' gives {model.Dimensions}.", "dimensions");
        }

        return model.Folder.Matryoshka ? wanted : throw InferenceException.BadRequest(
            $"The model '{model.Folder.Name}' gives {model.Dimensions} dimensions and was not trained for shorter vectors: omit 'dimensions' " +
            $"(or set \"matryoshka\": true in its {EmbeddingFolder.ConfigFile} if it was).", "dimensions");
    }

    private static InferenceException NotFound(string? model, ModelCatalog chatModels) => chatModels.Find(model) is { } chat
        ? InferenceException.BadRequest($"The model '{chat.Name}' is a chat model (genai_config.json), not a sentence-embedding model.", "model", "model_not_supported")
        : new InferenceException(404,
            $"The embedding model '{model}' does not exist: no folder of that name with model.onnx and tokenizer.json or vocab.txt under {InferenceSettings.ModelsDirVariable}.",
            "invalid_request_error", "model", "model_not_found");

    /// <summary>OpenAI's answer, written directly: float vectors as shortest round-trip numbers, base64 as little-endian float32s.</summary>
    private static void Write(IBufferWriter<byte> buffer, float[][] vectors, string model, int tokens, bool base64)
    {
        using var json = new Utf8JsonWriter(buffer);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < vectors.Length; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (base64)
            {
                json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan())); // the machine is little-endian, as the format
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vectors[i])
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", tokens);
        json.WriteNumber("total_tokens", tokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
