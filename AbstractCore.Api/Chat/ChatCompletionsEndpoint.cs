using AbstractCore.OpenAI.Chat;

namespace AbstractCore.Api.Chat;

public static class ChatCompletionsEndpoint
{
    public static void MapChatCompletions(this WebApplication app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext context, ChatCompletionsHandler handler) => handler.HandleAsync(context, null))
            .WithTags("Chat").WithSummary("Create a chat completion (plain or streamed)")
            .Produces<ChatCompletion>();
        app.MapPost("/{provider}/v1/chat/completions", (HttpContext context, string provider, ChatCompletionsHandler handler) =>
                handler.HandleAsync(context, provider))
            .WithTags("Chat").WithSummary("Create a chat completion with the provider chosen by the path")
            .Produces<ChatCompletion>();
    }
}
