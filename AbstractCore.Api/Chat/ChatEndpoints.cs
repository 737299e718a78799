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

    /// <summary><c>POST /v1/chat/completions</c> and its provider twin. The hot path: the handler reads the raw body
    /// itself, so the route binds nothing from it and has no filters.</summary>
    public static void MapChat(this OpenAIApi api) =>
        api.MapBoth(g => g.MapPost("/chat/completions", Create).WithTags("Chat").WithMetadata(Example).Produces<ChatCompletion>(),
            "Create a chat completion (plain or streamed)", "Create a chat completion with the provider chosen by the path");

    private static Task Create(HttpContext context, ChatCompletionsHandler handler) =>
        handler.HandleAsync(context, OpenAIApi.PathProvider(context));
}
