using AbstractCore.Api.Hosting;
using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Api.Chat;

public static class ChatCompletionsEndpoint
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

    public static void MapChatCompletions(this WebApplication app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext context, ChatCompletionsHandler handler) => handler.HandleAsync(context, null))
            .WithTags("Chat").WithSummary("Create a chat completion (plain or streamed)")
            .WithMetadata(Example)
            .Produces<ChatCompletion>();
        app.MapPost(ProviderSegment.Prefix + "/v1/chat/completions", (HttpContext context, string provider, ChatCompletionsHandler handler) =>
                handler.HandleAsync(context, provider))
            .WithTags("Chat").WithSummary("Create a chat completion with the provider chosen by the path")
            .WithMetadata(Example)
            .Produces<ChatCompletion>();
    }
}
