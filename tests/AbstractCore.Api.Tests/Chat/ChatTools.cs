using OpenAI.Chat;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>The function tools the chat tests offer, whatever the provider: get_weather (city required) and get_time.</summary>
public static class ChatTools
{
    public static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather for a city",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    public static readonly ChatTool Time = ChatTool.CreateFunctionTool("get_time", "Local time for a city",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""));

    /// <summary>Options offering both tools, with <paramref name="choice"/> when given.</summary>
    public static ChatCompletionOptions WithTools(ChatToolChoice? choice = null) => new() { Tools = { Weather, Time }, ToolChoice = choice };
}
