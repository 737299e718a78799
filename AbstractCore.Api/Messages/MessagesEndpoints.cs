using AbstractCore.Api.Errors;
using AbstractCore.Api.Hosting;
using AbstractCore.Messages;

namespace AbstractCore.Api.Messages;

/// <summary>Anthropic's Messages API as a second front door: <c>/v1/messages</c> and <c>/v1/messages/count_tokens</c>,
/// with their provider twins, answering errors in Anthropic's envelope.</summary>
internal static class MessagesEndpoints
{
    private static readonly RequestExample Example = new(typeof(MessagesRequest), """
        {
          "model": "openai/gpt-4o-mini",
          "max_tokens": 256,
          "system": "You are a concise assistant.",
          "messages": [{"role": "user", "content": "Say hello in three words."}],
          "stream": false
        }
        """);

    private static readonly RequestExample CountExample = new(typeof(MessagesRequest), """
        {
          "model": "openai/gpt-4o-mini",
          "system": "You are a concise assistant.",
          "messages": [{"role": "user", "content": "Say hello in three words."}]
        }
        """);

    public static void AddMessages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new MessagesPing(TimeSpan.FromSeconds(configuration.GetValue("ABSTRACTCORE_MESSAGES_PING_S", 10.0))));
        services.AddSingleton<AnthropicPassThrough>();
        services.AddSingleton<MessagesHandler>();
    }

    public static void MapMessages(this OpenAIApi api)
    {
        api.MapBoth(g => g.MapPost("/messages", (HttpContext context, MessagesHandler handler) => handler.HandleAsync(context, OpenAIApi.PathProvider(context)))
                .WithTags("Messages").WithMetadata(Example).WithAnthropicErrors(),
            "Create a message (Anthropic Messages API, any provider; plain or streamed)", "Create a message with the provider chosen by the path");
        api.MapBoth(g => g.MapPost("/messages/count_tokens", (HttpContext context, MessagesHandler handler) =>
                    handler.CountTokensAsync(context, OpenAIApi.PathProvider(context)))
                .WithTags("Messages").WithMetadata(CountExample).Produces<TokenCount>().WithAnthropicErrors(),
            "Count a message's input tokens (exact for anthropic/* and onnx/*, else estimated)");
    }
}
