using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AbstractCore.Api.Tests.Auth;

/// <summary>Test-only: keeps every log line (category, formatted message, exception) written through it.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Line)> _lines = new();

    public IReadOnlyList<(string Category, string Line)> Lines => [.. _lines.Select(l => (l.Category, l.Line))];

    /// <summary>Every line with its level.</summary>
    public IReadOnlyList<(string Category, LogLevel Level, string Line)> Entries => [.. _lines];

    /// <summary>Every line of every category, one per line.</summary>
    public string All => string.Join('\n', _lines.Select(l => l.Category + ": " + l.Line));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The structured values too, so a secret in a parameter that the message does not show is caught as well.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(' ', pairs.Select(p => p.Key + "=" + p.Value))
                : "";
            lines.Enqueue((category, logLevel, formatter(state, exception) + " | " + values + (exception is null ? "" : " | " + exception)));
        }
    }
}
