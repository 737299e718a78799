using AbstractCore.OpenAI.Chat;
using AbstractCore.Providers;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Pipeline;

/// <summary>
/// <c>unload_after</c>: unloads a local model once a request is done, but only when no other request is still
/// using it (the unload waits for the last one), and for Ollama only when the operator allowed it, since it
/// disrupts every other client of that server.
/// </summary>
public sealed partial class UnloadAfter(ILogger<UnloadAfter> logger)
{
    private readonly Dictionary<string, (int InFlight, bool Pending)> _models = new(StringComparer.Ordinal);

    /// <summary>Refuses (403) or warns before anything is sent upstream; <paramref name="allowUnsafe"/> is the operator's
    /// <c>ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER</c>.</summary>
    public static void Check(
        ProviderDescriptor provider, IChatBackend backend, ChatCompletionRequest request, bool allowUnsafe, ICollection<string> warnings)
    {
        if (request.UnloadAfter != true)
        {
            return;
        }

        if (!backend.SupportsUnload)
        {
            warnings.Add($"unload_after has no effect for provider '{provider.Name}'");
        }
        else if (!allowUnsafe)
        {
            throw new GatewayException(403,
                $"unload_after=true is disabled for provider '{provider.Name}' because it can unload shared server state and " +
                "disrupt other clients. Set ABSTRACTCORE_ALLOW_UNSAFE_UNLOAD_AFTER=1 to enable.", "forbidden", "unload_after");
        }
    }

    /// <summary>Counts a request against its model while it runs; the last one out performs a pending unload.</summary>
    public async Task RunAsync(IChatBackend backend, ProviderEndpoint endpoint, string model, bool unload, Func<Task> run)
    {
        if (!backend.SupportsUnload)
        {
            await run();
            return;
        }

        var key = endpoint.CacheKey + "\n" + model;
        lock (_models)
        {
            var entry = _models.GetValueOrDefault(key);
            _models[key] = (entry.InFlight + 1, entry.Pending);
        }

        var unloadNow = false;
        try
        {
            await run();
        }
        finally
        {
            lock (_models)
            {
                var entry = _models[key];
                var pending = entry.Pending || unload;
                if (entry.InFlight == 1)
                {
                    _models.Remove(key);
                    unloadNow = pending;
                }
                else
                {
                    _models[key] = (entry.InFlight - 1, pending);
                }
            }

            if (unloadNow)
            {
                await UnloadAsync(backend, endpoint, model);
            }
        }
    }

    private async Task UnloadAsync(IChatBackend backend, ProviderEndpoint endpoint, string model)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await backend.UnloadAsync(endpoint, model, deadline.Token);
            LogUnloaded(logger, endpoint.Provider.Name, model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The answer was already given; a failed unload is only worth a log line.
            LogUnloadFailed(logger, endpoint.Provider.Name, model, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "unload_after: unloaded {Provider}/{Model}")]
    private static partial void LogUnloaded(ILogger logger, string provider, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "unload_after: unloading {Provider}/{Model} failed: {Message}")]
    private static partial void LogUnloadFailed(ILogger logger, string provider, string model, string message);
}
