using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Responses;
using AbstractCore.Responses;

namespace AbstractCore.Api.Responses;

public static class ResponsesEndpoint
{
    private static readonly RequestExample Example = new(typeof(ResponsesRequest), """
        {
          "model": "openai/gpt-4o-mini",
          "instructions": "You are a concise assistant.",
          "input": "Say hello in three words.",
          "max_output_tokens": 64,
          "stream": false
        }
        """);

    /// <summary>The Responses API's services: the handler and the response store, in Redis when a <c>cache</c>
    /// connection string is configured (the AppHost sets it; the client is <see cref="GatewayRedis"/>'s), else in memory.</summary>
    public static void AddResponses(this WebApplicationBuilder builder)
    {
        var ttl = TimeSpan.FromSeconds(builder.Configuration.GetValue("ABSTRACTCORE_RESPONSES_TTL_S", 3600));
        if (GatewayRedis.IsConfigured(builder.Configuration))
        {
            builder.Services.AddSingleton<IResponseStore>(sp => new RedisResponseStore(sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), ttl));
        }
        else
        {
            builder.Services.AddSingleton<IResponseStore>(new InMemoryResponseStore(ttl, 10_000));
        }

        builder.Services.AddSingleton<ResponsesHandler>();
    }

    public static void MapResponses(this WebApplication app)
    {
        app.MapPost("/v1/responses", (HttpContext context, ResponsesHandler handler) => handler.HandleAsync(context))
            .WithTags("Responses").WithSummary("Create a model response (OpenAI Responses API; plain or streamed)")
            .WithMetadata(Example)
            .Produces<ResponseObject>();
        app.MapPost(ProviderSegment.Prefix + "/v1/responses", (HttpContext context, string provider, ResponsesHandler handler) =>
                handler.HandleAsync(context, provider))
            .WithTags("Responses").WithSummary("Create a model response with the provider chosen by the path")
            .WithMetadata(Example)
            .Produces<ResponseObject>();
        app.MapGet("/v1/responses/{id}", (HttpContext context, string id, ResponsesHandler handler) => handler.GetAsync(context, id))
            .WithTags("Responses").WithSummary("Retrieve a stored response")
            .Produces<ResponseObject>();
        app.MapGet("/v1/responses/{id}/input_items", (HttpContext context, string id, ResponsesHandler handler) => handler.InputItemsAsync(context, id))
            .WithTags("Responses").WithSummary("List the input items of a stored response (order, limit, after)")
            .Produces<InputItemList>();
        app.MapDelete("/v1/responses/{id}", (HttpContext context, string id, ResponsesHandler handler) => handler.DeleteAsync(context, id))
            .WithTags("Responses").WithSummary("Delete a stored response")
            .Produces<ResponseDeleted>();
    }
}
