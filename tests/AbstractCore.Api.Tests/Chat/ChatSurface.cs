namespace AbstractCore.Api.Tests.Chat;

/// <summary>The three ways a chat request reaches its upstream: relayed chat, translated chat and the Responses API.</summary>
public enum ChatSurface
{
    ChatRelayed,
    ChatTranslated,
    Responses,
}

/// <summary>For tests that check one rule on every surface, streamed and not.</summary>
internal static class ChatSurfaces
{
    public static TheoryData<ChatSurface, bool> Every => new()
    {
        { ChatSurface.ChatRelayed, false }, { ChatSurface.ChatRelayed, true },
        { ChatSurface.ChatTranslated, false }, { ChatSurface.ChatTranslated, true },
        { ChatSurface.Responses, false }, { ChatSurface.Responses, true },
    };

    public static string Path(ChatSurface surface) => surface == ChatSurface.Responses ? "/v1/responses" : "/v1/chat/completions";
}
