using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Embeddings;
using AbstractCore.OpenAI.Responses;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AbstractCore.Api.Docs;

/// <summary>
/// The AbstractCore extensions that chat and Responses bodies carry in their extension data (so they travel as written
/// and the relay reads them only when present): described in the schemas all the same, so clients and docs see them.
/// </summary>
internal static class ExtensionFieldSchemas
{
    public static Task ApplyAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(ChatCompletionRequest) || type == typeof(EmbeddingRequestBody))
        {
            (schema.Properties ??= new Dictionary<string, IOpenApiSchema>())["cache"] = Cache;
        }

        if (type != typeof(ChatCompletionRequest) && type != typeof(ResponsesRequest))
        {
            return Task.CompletedTask;
        }

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["prompt_cache_key"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String | JsonSchemaType.Null,
            Description = "AbstractCore extension: best-effort prompt-cache key (semantics depend on the provider). " +
                "With prompt_cache_binding, it must equal the binding's key, which it defaults to.",
        };
        schema.Properties["prompt_cache_retention"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String | JsonSchemaType.Null,
            Description = "AbstractCore extension: prompt-cache retention policy (OpenAI: \"in_memory\" or \"24h\"; ignored by other providers).",
        };
        schema.Properties["prompt_cache_binding"] = new OpenApiSchema
        {
            Description = "AbstractCore extension: the exact bloc KV binding returned by /acore/blocs/kv/load, as that object " +
                "or its binding_id string. Verified by the local runtime (onnx/<model>) before generating: a missing or stale " +
                "binding is a 409; other providers answer 400 prompt_cache_binding_unsupported.",
            OneOf =
            [
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["binding_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["key"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
                new OpenApiSchema { Type = JsonSchemaType.String, Description = "The binding_id alone." },
                new OpenApiSchema { Type = JsonSchemaType.Null },
            ],
        };
        schema.Properties["timeout_s"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Number | JsonSchemaType.Null,
            Description = "AbstractCore extension: upstream deadline in seconds for this request (at most 12 times the server's " +
                "ABSTRACTCORE_UPSTREAM_TIMEOUT_S); 0 or less: no deadline.",
        };
        return Task.CompletedTask;
    }

    /// <summary>The exact response cache's opt-in (Caching/CacheDirective.cs).</summary>
    private static OpenApiSchema Cache => new()
    {
        Type = JsonSchemaType.Object | JsonSchemaType.Null,
        Description = "AbstractCore extension: the exact response cache for this request. A repeated identical request (same model " +
            "as routed, messages or input, tools, sampling fields, stream) is answered from the cache for ttl_s seconds, with the " +
            "header X-AbstractCore-Cache: hit, and costs nothing. Also set by the request header Cache-Control: max-age=N or by " +
            "the virtual key; Cache-Control: no-store (or no-cache) bypasses it. A chat request that samples without a seed " +
            "(temperature above 0; absent counts as 1.0) is not cached unless force is true. Never forwarded to the provider.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["ttl_s"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Number,
                Description = "Seconds an answer is kept and served (at most 30 days); 0: do not cache this request.",
            },
            ["force"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Boolean,
                Description = "Cache even a sampled answer (temperature above 0 without a seed).",
            },
        },
    };
}
