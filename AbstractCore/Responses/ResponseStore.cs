using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AbstractCore.OpenAI.Chat;
using AbstractCore.OpenAI.Responses;

namespace AbstractCore.Responses;

/// <summary>A stored response, the conversation it ended (its input and its output, as chat messages) so
/// <c>previous_response_id</c> can continue from it, and this request's input items as the client sent them.</summary>
public sealed record StoredResponse(ResponseObject Response, IReadOnlyList<ChatMessageDto> Conversation)
{
    public IReadOnlyList<JsonElement> InputItems { get; init; } = [];
}

/// <summary>How stores that leave the process (Redis) write an entry.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredResponse))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class ResponsesStoreJsonContext : JsonSerializerContext;

/// <summary>Where <c>store: true</c> responses live until they expire.</summary>
public interface IResponseStore
{
    ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken);

    ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken);

    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken);
}

/// <summary>In-process store: entries expire after <paramref name="ttl"/>; past <paramref name="capacity"/> the oldest go first.</summary>
public sealed class InMemoryResponseStore(TimeSpan ttl, int capacity, TimeProvider? time = null) : IResponseStore
{
    private readonly ConcurrentDictionary<string, (StoredResponse Value, DateTimeOffset Stored)> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public InMemoryResponseStore()
        : this(TimeSpan.FromHours(1), 10_000)
    {
    }

    public ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _entries[response.Response.Id] = (response, now);
        if (_entries.Count > capacity)
        {
            foreach (var (id, _) in _entries.Where(e => now - e.Value.Stored > ttl).ToList())
            {
                _entries.TryRemove(id, out _);
            }

            foreach (var (id, _) in _entries.OrderBy(e => e.Value.Stored).Take(Math.Max(0, _entries.Count - capacity)).ToList())
            {
                _entries.TryRemove(id, out _);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            if (_time.GetUtcNow() - entry.Stored <= ttl)
            {
                return ValueTask.FromResult<StoredResponse?>(entry.Value);
            }

            _entries.TryRemove(id, out _);
        }

        return ValueTask.FromResult<StoredResponse?>(null);
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        await GetAsync(id, cancellationToken) is not null && _entries.TryRemove(id, out _);
}
