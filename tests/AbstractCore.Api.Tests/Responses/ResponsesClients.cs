using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using AbstractCore.Api.Tests.Infrastructure;
using OpenAI.Responses;

#pragma warning disable OPENAI001 // the SDK's Responses client is marked experimental

namespace AbstractCore.Api.Tests.Responses;

/// <summary>The official OpenAI .NET SDK's Responses client pointed at a gateway, and raw SSE reading with event names.</summary>
public static class ResponsesClients
{
    public const string Token = "test-server-token";

    public static ResponsesClient For(GatewayFactory gateway) => new(new ApiKeyCredential(Token), new ResponsesClientOptions
    {
        Endpoint = new Uri(gateway.Server.BaseAddress, "v1"),
        Transport = new HttpClientPipelineTransport(gateway.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    /// <summary>Streams a response with the SDK: its text deltas, every update's sequence number and the completed response.</summary>
    public static async Task<(List<string> Deltas, List<int> Sequence, ResponseResult? Completed)> StreamTextAsync(ResponsesClient client, CreateResponseOptions options)
    {
        var deltas = new List<string>();
        var sequence = new List<int>();
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(options))
        {
            sequence.Add(update.SequenceNumber);
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    deltas.Add(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        return (deltas, sequence, completed);
    }

    /// <summary>Every SSE event as (event name, data JSON), in order.</summary>
    public static Task<(HttpResponseMessage Response, List<(string? Event, JsonNode Data)> Events)> StreamAsync(HttpClient http, string json) =>
        Wire.NamedEventsAsync(http, "/v1/responses", json);
}
