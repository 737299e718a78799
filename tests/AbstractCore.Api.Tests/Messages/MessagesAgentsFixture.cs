using AbstractCore.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AbstractCore.Api.Tests.Messages;

/// <summary>
/// A fake OpenAI-compatible upstream behind the gateway on real Kestrel, on a free loopback port, for Messages API
/// clients that run as other processes (Claude Code, node). <see cref="Root"/> is what ANTHROPIC_BASE_URL / the SDKs'
/// baseURL take: the server root, to which they add <c>/v1/messages</c>.
/// </summary>
public sealed class MessagesAgentsFixture : IAsyncLifetime
{
    public FakeOpenAIUpstream Upstream { get; private set; } = null!;
    public GatewayFactory Gateway { get; private set; } = null!;
    public Uri Root { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeOpenAIUpstream.StartAsync();
        Gateway = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ABSTRACTCORE_AUTH_TOKEN"] = GatewayFixture.Token,
            ["OPENAI_COMPATIBLE_BASE_URL"] = Upstream.BaseUrl.AbsoluteUri,
            ["URLS"] = "http://127.0.0.1:0",
        });
        Gateway.UseKestrel();
        Gateway.StartServer();
        var address = Gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>The chat requests the upstream got after the first <paramref name="from"/> requests, as JSON.</summary>
    public List<System.Text.Json.Nodes.JsonNode> ChatTurnsAfter(int from) =>
        [.. Upstream.Requests.Skip(from).Where(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Select(r => r.Json!)];
}
