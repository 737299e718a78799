using AbstractCore.Chat.AgentFormats;

namespace AbstractCore.Tests.Chat;

public sealed class AgentFormatTests
{
    // Auto gives structured calls whatever the model family or client (issue 14: the Vercel AI SDK and LangChain read
    // only tool_calls); the original rendered qwen/llama/gemma/claude models' calls as text for all but OpenAI's SDKs.
    [Theory]
    [InlineData(null, null, AgentFormat.OpenAI)]
    [InlineData("auto", "ai-sdk/openai-compatible/2.0.92", AgentFormat.OpenAI)]
    [InlineData(null, "langchainjs-openai/1.2.9", AgentFormat.OpenAI)]
    [InlineData(null, "OpenAI/Python 1.99.0", AgentFormat.OpenAI)]
    [InlineData(null, "codex_cli_rs/0.50", AgentFormat.Codex)]
    [InlineData("XML", null, AgentFormat.Xml)]
    [InlineData(" llama3 ", "codex_cli_rs/0.50", AgentFormat.Llama3)]
    [InlineData("passthrough", null, AgentFormat.Passthrough)]
    public void Resolves_the_requested_format_or_structured_calls(string? requested, string? userAgent, AgentFormat expected) =>
        Assert.Equal(expected, AgentFormatRules.Resolve(requested, userAgent));

    [Theory]
    [InlineData("klingon", null, AgentFormat.OpenAI)]
    [InlineData("custom", "codex_cli_rs/0.50", AgentFormat.Codex)]
    public void An_unknown_format_falls_back_to_auto_detection_with_a_warning(string requested, string? userAgent, AgentFormat expected)
    {
        var warnings = new List<string>();
        Assert.Equal(expected, AgentFormatRules.Resolve(requested, userAgent, warnings));
        Assert.Equal($"agent_format '{requested}' is not one of {AgentFormatRules.Known}; auto-detection used", Assert.Single(warnings));
    }

    [Fact]
    public void Renders_each_syntax_with_two_space_indented_json()
    {
        Assert.Equal("<function_call>\n{\n  \"name\": \"get_weather\",\n  \"arguments\": {}\n}\n</function_call>",
            ToolCallText.Render(AgentFormat.Llama3, "get_weather", "{}"));
        Assert.Equal("<|tool_call|>\n{\n  \"name\": \"f\",\n  \"arguments\": {\n    \"city\": \"Paris\"\n  }\n}\n</|tool_call|>",
            ToolCallText.Render(AgentFormat.Qwen3, "f", """{"city":"Paris"}"""));
        Assert.Equal("```tool_code\n{\n  \"name\": \"f\",\n  \"arguments\": {}\n}\n```", ToolCallText.Render(AgentFormat.Gemma, "f", ""));
        Assert.Equal("<tool_call>\n{\n  \"name\": \"f\",\n  \"arguments\": {\n    \"value\": \"not json\"\n  }\n}\n</tool_call>",
            ToolCallText.Render(AgentFormat.Xml, "f", "not json"));
    }

    [Fact]
    public void Appends_blocks_after_cleaned_content()
    {
        Assert.Equal("Checking.\n\n<tool_call>\n{\n  \"name\": \"a\",\n  \"arguments\": {}\n}\n</tool_call>",
            ToolCallText.Append(AgentFormat.Xml, "Checking.  ", [("a", "{}")]));
        Assert.Equal("<tool_call>\n{\n  \"name\": \"a\",\n  \"arguments\": {}\n}\n</tool_call>", ToolCallText.Append(AgentFormat.Xml, null, [("a", "{}")]));
    }

    [Theory]
    [InlineData("<|tool_call|>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</|tool_call|>")]
    [InlineData("<tool_call>{\"name\":\"f\",\"arguments\":{\"x\":1}}</tool_call>")]
    [InlineData("<function_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</function_call>")]
    [InlineData("```tool_code\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n```")]
    [InlineData("<TOOL_CALL>{\"name\":\"f\",\"parameters\":{\"x\":1}}</TOOL_CALL>")]
    public void Extracts_calls_written_as_text_in_any_syntax(string block)
    {
        var (content, calls) = ToolCallText.Extract("Let me look.\n\n" + block + "\n\n\n");
        var call = Assert.Single(calls);
        Assert.Equal("f", call.Name);
        Assert.Equal("{\"x\":1}", System.Text.Json.Nodes.JsonNode.Parse(call.Arguments)!.ToJsonString());
        Assert.Equal("Let me look.", content);
    }

    [Fact]
    public void Text_without_calls_is_left_alone()
    {
        var (content, calls) = ToolCallText.Extract("A <tool_call> with no JSON");
        Assert.Empty(calls);
        Assert.Equal("A <tool_call> with no JSON", content);
    }

    [Fact]
    public void Clean_removes_template_tags_and_bare_call_lines()
    {
        Assert.Equal("Hello\n\nworld", ToolCallText.Clean("<|assistant|>Hello\n\n\n\n{\"name\": \"f\", \"arguments\": {}}\nworld<|user|>"));
    }
}
