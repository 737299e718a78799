using System.Text.Json;
using AbstractCore.Messages;

namespace AbstractCore.Tests.Messages;

public sealed class MessagesTranslatorTests
{
    private static MessagesRequest Parse(string json) => JsonSerializer.Deserialize(json, MessagesJsonContext.Default.MessagesRequest)!;

    [Fact]
    public void System_text_from_the_field_and_from_system_turns_leads_the_conversation()
    {
        // Claude Code sends system as text blocks, and one more system turn inside messages.
        var request = Parse("""
            {"model":"m","max_tokens":5,"system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},{"type":"text","text":"B"}],
             "messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},{"role":"system","content":"C"}]}
            """);
        var conversation = MessagesTranslator.Conversation(request);
        Assert.Equal(["system", "user"], conversation.Select(m => m.Role));
        Assert.Equal("A\n\nB\n\nC", conversation[0].Content!.Value.GetString());
        Assert.Equal("hi", conversation[1].Content!.Value.GetString());
    }

    [Fact]
    public void What_only_anthropic_reads_is_left_out()
    {
        // Claude Code's per-session billing block would leave no two sessions a shared prefix; its deferred-tool placeholder
        // is loaded only by Anthropic's tool search.
        var request = Parse("""
            {"model":"m","max_tokens":5,"output_config":{"effort":"max"},
             "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.328.abc; cc_entrypoint=sdk-cli;"},{"type":"text","text":"Be brief."}],
             "tools":[{"name":"DeferredToolPlaceholder","input_schema":{"type":"object"},"defer_loading":true},{"name":"Bash","input_schema":{"type":"object"}}],
             "messages":[{"role":"user","content":"hi"}]}
            """);
        var conversation = MessagesTranslator.Conversation(request);
        Assert.Equal("Be brief.", conversation[0].Content!.Value.GetString());
        var chat = MessagesTranslator.ToChatRequest(request, "m", conversation);
        Assert.Equal("Bash", chat.Tools!.Value.EnumerateArray().Single().GetProperty("function").GetProperty("name").GetString());
        Assert.Null(chat.Thinking); // output_config.effort is Anthropic's: local models would all start thinking
    }

    [Fact]
    public void Tool_use_and_tool_result_become_a_call_and_tool_messages_ahead_of_the_turns_text()
    {
        var request = Parse("""
            {"model":"m","max_tokens":5,"messages":[
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Looking."},
                {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},
                {"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},
                {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":[{"type":"text","text":"no clock"}]},
                {"type":"text","text":"thanks"}]}]}
            """);
        var conversation = MessagesTranslator.Conversation(request);
        Assert.Equal(["user", "assistant", "tool", "tool", "user"], conversation.Select(m => m.Role));
        var assistant = conversation[1];
        Assert.Equal("Looking.", assistant.Content!.Value.GetString()); // the thinking block is dropped, never sent as text
        Assert.Equal(["toolu_1", "toolu_2"], assistant.ToolCalls!.Select(c => c.Id));
        Assert.Equal("""{"city":"Paris"}""", assistant.ToolCalls![0].Function!.Arguments);
        Assert.Equal(("toolu_1", "sunny"), (conversation[2].ToolCallId, conversation[2].Content!.Value.GetString()));
        Assert.Equal(("toolu_2", "Error: no clock"), (conversation[3].ToolCallId, conversation[3].Content!.Value.GetString()));
        Assert.Equal("thanks", conversation[4].Content!.Value.GetString());
    }

    [Fact]
    public void Images_and_documents_become_image_url_and_file_parts()
    {
        var request = Parse("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
              {"type":"document","title":"report.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
              {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain notes"}},
              {"type":"text","text":"describe"}]}]}
            """);
        var parts = MessagesTranslator.Conversation(request)[0].Content!.Value.EnumerateArray().ToList();
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", parts[0].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("https://example.com/cat.png", parts[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("data:application/pdf;base64,JVBERi0=", parts[2].GetProperty("file").GetProperty("file_data").GetString());
        Assert.Equal("report.pdf", parts[2].GetProperty("file").GetProperty("filename").GetString());
        Assert.Equal("plain notes", parts[3].GetProperty("text").GetString());
        Assert.Equal("describe", parts[4].GetProperty("text").GetString());
    }

    [Fact]
    public void Options_map_to_the_chat_request()
    {
        var request = Parse("""
            {"model":"openai/gpt-x","max_tokens":300,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"],
             "metadata":{"user_id":"u1"},"thinking":{"type":"enabled","budget_tokens":2048},
             "tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object"}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "context_management":{"edits":[]},"timeout_s":30,"messages":[{"role":"user","content":"hi"}]}
            """);
        var chat = MessagesTranslator.ToChatRequest(request, "gpt-x", MessagesTranslator.Conversation(request));
        Assert.Equal(("gpt-x", 300, 0.5, 0.9), (chat.Model, chat.MaxTokens, chat.Temperature, chat.TopP));
        Assert.Equal("""["END"]""", chat.Stop!.Value.GetRawText());
        Assert.Equal("u1", chat.User);
        Assert.Equal("medium", chat.Thinking!.Value.GetString());
        Assert.Equal("required", chat.ToolChoice!.Value.GetString());
        Assert.False(chat.ParallelToolCalls);
        var function = chat.Tools!.Value[0].GetProperty("function");
        Assert.Equal(("get_weather", "d", "object"), (function.GetProperty("name").GetString(), function.GetProperty("description").GetString(),
            function.GetProperty("parameters").GetProperty("type").GetString()));
        // top_k and the gateway's own fields travel; Anthropic-only fields (context_management) do not.
        Assert.Equal(["timeout_s", "top_k"], chat.Extra!.Keys.Order());
    }

    [Theory]
    [InlineData("""{"type":"tool","name":"f"}""", """{"type":"function","function":{"name":"f"}}""")]
    [InlineData("""{"type":"auto"}""", "\"auto\"")]
    [InlineData("""{"type":"none"}""", "\"none\"")]
    public void Tool_choice_maps_to_its_chat_form(string choice, string expected)
    {
        var request = Parse($$"""{"model":"m","max_tokens":5,"tool_choice":{{choice}},"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(expected, MessagesTranslator.ToChatRequest(request, "m", []).ToolChoice!.Value.GetRawText());
    }

    [Theory]
    [InlineData("""{"type":"disabled"}""", "off")]
    [InlineData("""{"type":"enabled","budget_tokens":1024}""", "low")]
    [InlineData("""{"type":"enabled","budget_tokens":16000}""", "high")]
    [InlineData("""{"type":"enabled","budget_tokens":64000}""", "xhigh")]
    [InlineData("""{"type":"adaptive","display":"omitted"}""", null)]
    public void Thinking_maps_to_the_gateways_levels(string thinking, string? level)
    {
        var request = Parse($$"""{"model":"m","max_tokens":5,"thinking":{{thinking}},"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(level, MessagesTranslator.ToChatRequest(request, "m", []).Thinking?.GetString());
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", "max_tokens: Field required")]
    [InlineData("""{"model":"m","max_tokens":0,"messages":[]}""", "max_tokens must be a positive integer.")]
    [InlineData("""{"max_tokens":5,"messages":[]}""", "'model' is required")]
    [InlineData("""{"model":"m","max_tokens":5}""", "'messages' is required")]
    public void Missing_or_bad_required_fields_are_400s(string json, string message)
    {
        var e = Assert.Throws<GatewayException>(() => MessagesRules.Validate(Parse(json)));
        Assert.Equal(400, e.Status);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"web_search_20250305","name":"web_search"}""", "web_search")]
    [InlineData("""{"type":"bash_20250124","name":"bash"}""", "bash")]
    public void A_server_tool_is_a_400_naming_it(string tool, string name)
    {
        var e = Assert.Throws<GatewayException>(() => MessagesTranslator.Tools(JsonDocument.Parse($"[{tool}]").RootElement));
        Assert.Equal(400, e.Status);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"role":"user","content":[{"type":"video","source":{}}]}""", "messages[0].content[0].type 'video' is not supported")]
    [InlineData("""{"role":"robot","content":"x"}""", "messages[0].role must be 'user' or 'assistant'.")]
    [InlineData("""{"role":"user","content":[{"type":"tool_result"}]}""", "messages[0].content[0].tool_use_id is required.")]
    [InlineData("""{"role":"user","content":[{"type":"image","source":{"type":"file"}}]}""", "messages[0].content[0].source must be")]
    [InlineData("""{"role":"user","content":42}""", "messages[0].content must be a string or an array")]
    public void Bad_turns_are_400s_naming_the_field(string turn, string message)
    {
        var e = Assert.Throws<GatewayException>(() => MessagesTranslator.Conversation(Parse($$"""{"model":"m","max_tokens":5,"messages":[{{turn}}]}""")));
        Assert.Equal(400, e.Status);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("call_abc123", "toolu_call_abc123")]
    [InlineData("toolu_01XYZ", "toolu_01XYZ")]
    [InlineData("functions.get:0", "toolu_functions_get_0")]
    public void Tool_use_ids_are_stable_and_anthropic_shaped(string upstream, string expected) =>
        Assert.Equal(expected, MessageIds.ToolUse(upstream));

    [Fact]
    public void A_call_without_an_upstream_id_gets_a_fresh_one() =>
        Assert.Matches("^toolu_[A-Za-z0-9]{24}$", MessageIds.ToolUse(null));
}
