using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace AbstractCore.AppHost.Tests.EndToEnd;

/// <summary>
/// Everything the AppHost logs, resources' console output included (the testing builder forwards it to the
/// AppHost's loggers under <c>….Resources.&lt;name&gt;</c>), kept in memory: the shared system outlives any one test's
/// output, so each test copies what was logged during it, and failures quote the tail.
/// </summary>
public sealed partial class CapturedLog : ILoggerProvider
{
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The lines logged from <paramref name="start"/> on.</summary>
    public IReadOnlyList<string> Since(int start)
    {
        lock (_lock)
        {
            return _lines.Skip(start).ToArray();
        }
    }

    /// <summary>The last lines, for a failure message.</summary>
    public string Tail(int count = 80)
    {
        lock (_lock)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));
        }
    }

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        line = AnsiColour().Replace(line, "");
        lock (_lock)
        {
            _lines.Add(line);
        }
    }

    // The services' console logger colours its output; the colour codes only clutter a test report.
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiColour();

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        // "AbstractCore.AppHost.Resources.jobs" reads better as "jobs".
        private readonly string _source = category.Contains(".Resources.", StringComparison.Ordinal)
            ? category[(category.LastIndexOf(".Resources.", StringComparison.Ordinal) + ".Resources.".Length)..]
            : category;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var time = DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
                log.Add($"{time} {logLevel,-11} [{_source}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
        }
    }
}
