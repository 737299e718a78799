using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Responses;
using AbstractCore.Responses;

namespace AbstractCore.Api.Responses;

internal static class ResponsesEndpoints
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

    /// <summary>Create (with its provider twin; the handler reads the raw body itself, as chat's does), then
    /// retrieve, list input items and delete a stored response.</summary>
    public static void MapResponses(this OpenAIApi api)
    {
        api.MapBoth(g => g.MapPost("/responses", Create).WithTags("Responses").WithMetadata(Example).Produces<ResponseObject>(),
            "Create a model response (OpenAI Responses API; plain or streamed)", "Create a model response with the provider chosen by the path");
        api.V1.MapGet("/responses/{id}", (string id, ResponsesHandler handler, CancellationToken ct) => handler.GetAsync(id, ct))
            .WithTags("Responses").WithSummary("Retrieve a stored response")
            .Produces<ResponseObject>();
        api.V1.MapGet("/responses/{id}/input_items", (string id, string? order, string? limit, string? after, ResponsesHandler handler, CancellationToken ct) =>
                handler.InputItemsAsync(id, order, limit, after, ct))
            .WithTags("Responses").WithSummary("List the input items of a stored response (order, limit, after)")
            .Produces<InputItemList>();
        api.V1.MapDelete("/responses/{id}", (string id, ResponsesHandler handler, CancellationToken ct) => handler.DeleteAsync(id, ct))
            .WithTags("Responses").WithSummary("Delete a stored response")
            .Produces<ResponseDeleted>();
    }

    private static Task Create(HttpContext context, ResponsesHandler handler) =>
        handler.HandleAsync(context, OpenAIApi.PathProvider(context));
}
