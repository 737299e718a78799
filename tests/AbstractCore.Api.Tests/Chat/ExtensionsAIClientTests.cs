using System.ClientModel;
using System.ClientModel.Primitives;
using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;

namespace AbstractCore.Api.Tests.Chat;

/// <summary>The gateway seen through Microsoft.Extensions.AI's OpenAI <see cref="IChatClient"/>.</summary>
public sealed class ExtensionsAIClientTests(GatewayFixture fx) : IClassFixture<GatewayFixture>
{
    private IChatClient Client() => new OpenAIClient(new ApiKeyCredential(GatewayFixture.Token), new OpenAIClientOptions
    {
        Endpoint = new Uri(fx.Gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(fx.Gateway.CreateClient()),
    }).GetChatClient(GatewayFixture.Model).AsIChatClient();

    [Fact]
    public async Task Plain_and_streamed_text()
    {
        fx.Upstream.Enqueue(FakeReply.Text("plain answer"), FakeReply.Text("streamed answer here"));

        var response = await Client().GetResponseAsync("hello");
        Assert.Equal("plain answer", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);

        var updates = await Client().GetStreamingResponseAsync("hello").ToChatResponseAsync();
        Assert.Equal("streamed answer here", updates.Text);
        Assert.NotNull(updates.Usage);
    }

    [Fact]
    public async Task Tool_calls_plain_and_streamed()
    {
        var tool = AIFunctionFactory.CreateDeclaration("lookup", "Look up", System.Text.Json.JsonDocument.Parse(
            """{"type":"object","properties":{"q":{"type":"string"}}}""").RootElement);
        var options = new ChatOptions { Tools = [tool] };
        fx.Upstream.Enqueue(
            FakeReply.ToolCalls(new FakeToolCall("c1", "lookup", """{"q":"dotnet"}""")),
            FakeReply.ToolCalls(new FakeToolCall("c2", "lookup", """{"q":"aspire"}""")));

        var plain = await Client().GetResponseAsync("find", options);
        var call = Assert.Single(plain.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("c1", "lookup", "dotnet"), (call.CallId, call.Name, call.Arguments!["q"]!.ToString()));

        var streamed = await Client().GetStreamingResponseAsync("find", options).ToChatResponseAsync();
        call = Assert.Single(streamed.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("c2", "lookup", "aspire"), (call.CallId, call.Name, call.Arguments!["q"]!.ToString()));
    }
}
