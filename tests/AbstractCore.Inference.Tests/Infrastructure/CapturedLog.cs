using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Inference.Tests.Infrastructure;

/// <summary>Test-only: keeps every log line written through it (Information and up, whatever the host's own filter).</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Line)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Line)> Entries => [.. _entries];

    /// <summary>Every line, one per line, for failure messages.</summary>
    public string All => string.Join('\n', _entries.Select(e => e.Level + ": " + e.Line));

    public ILogger CreateLogger(string categoryName) => new Logger(_entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
