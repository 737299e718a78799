using System.Text.Json;
using AbstractCore.Chat;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Json;
using Microsoft.Extensions.AI;

namespace AbstractCore.Tests.Chat;

public sealed class ChatOptionsMapperTests
{
    private static ChatCompletionRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;

    [Fact]
    public void Maps_sampling_tools_and_formats()
    {
        var options = ChatOptionsMapper.Map(Parse("""
            {"model":"m","messages":[],"temperature":0.5,"top_p":0.9,"max_tokens":10,"max_completion_tokens":20,"seed":3,
             "stop":"END","parallel_tool_calls":false,
             "tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"x":{"type":"integer"}}}}}],
             "tool_choice":{"type":"function","function":{"name":"f"}},
             "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}}}
            """), "m");

        Assert.Equal(0.5f, options.Temperature);
        Assert.Equal(0.9f, options.TopP);
        Assert.Equal(20, options.MaxOutputTokens);
        Assert.Equal(3, options.Seed);
        Assert.Equal(["END"], options.StopSequences);
        Assert.False(options.AllowMultipleToolCalls);
        var tool = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(options.Tools!));
        Assert.Equal("f", tool.Name);
        Assert.Equal("integer", tool.JsonSchema.GetProperty("properties").GetProperty("x").GetProperty("type").GetString());
        Assert.Equal("f", Assert.IsType<RequiredChatToolMode>(options.ToolMode).RequiredFunctionName);
        Assert.Equal("s", Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat).SchemaName);
    }

    [Theory]
    [InlineData("""{"stop":5}""", "stop")]
    [InlineData("""{"tools":[{"type":"web"}]}""", "tools[0]")]
    [InlineData("""{"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"}""", "tool_choice")]
    [InlineData("""{"response_format":{"type":"yaml"}}""", "response_format")]
    public void Bad_fields_are_400_naming_the_field(string json, string param)
    {
        var error = Assert.Throws<GatewayException>(() => ChatOptionsMapper.Map(Parse(json), "m"));
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }
}
