using AbstractCore.Api.Caching;
using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Api.Chat;

internal static class ChatEndpoints
{
    private static readonly RequestExample Example = new(typeof(ChatCompletionRequest), """
        {
          "model": "openai/gpt-4o-mini",
          "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": "Say hello in three words."}
          ],
          "temperature": 0.2,
          "max_tokens": 64,
          "stream": false
        }
        """);

    /// <summary><c>POST /v1/chat/completions</c> and its provider twin. The hot path: the route reads the raw body itself,
    /// so it binds nothing from it and has no filters.</summary>
    public static void MapChat(this OpenAIApi api) =>
        api.MapBoth(g => g.MapPost("/chat/completions", Create).WithTags("Chat").WithMetadata(Example).Produces<ChatCompletion>(),
            "Create a chat completion (plain or streamed)", "Create a chat completion with the provider chosen by the path");

    /// <summary>The response cache sees the body first (<see cref="ResponseCache.ForChat"/>: a header read and a byte search
    /// for a request that does not opt in); such a request goes on to the handler as it is.</summary>
    private static async Task Create(HttpContext context, ChatCompletionsHandler handler, ResponseCache cache)
    {
        var pathProvider = OpenAIApi.PathProvider(context);
        using var body = await Requests.JsonBody.ReadAsync(context.Request, context.RequestAborted);
        if (cache.ForChat(context, body.Utf8, pathProvider) is { } cacheable)
        {
            await cache.ServeAsync(context, cacheable, (handler, pathProvider, body),
                static (context, s) => s.handler.HandleAsync(context, s.pathProvider, s.body));
            return;
        }

        await handler.HandleAsync(context, pathProvider, body);
    }
}
