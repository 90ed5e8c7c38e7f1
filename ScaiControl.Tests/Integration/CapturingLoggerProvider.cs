using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// One captured log entry: level, category, message, the scope values it was written in (as a log shipper would see
/// them) and <see cref="Text"/>, the whole line with its state values, every scope and the exception.
/// </summary>
public sealed record LogEntry(LogLevel Level, string Category, string Message, IReadOnlyDictionary<string, object?> Scope, string Text);

/// <summary>Collects every log entry the logging filters let through (tests set the level they need).</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>The entries so far, oldest first.</summary>
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>The entries' whole lines.</summary>
    public IEnumerable<string> Lines => Entries.Select(e => e.Text);

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var line = new StringBuilder($"{logLevel} {category}: {message}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append($" {key}={value}");
                }
            }

            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope((s, _) =>
            {
                line.Append(" scope=").Append(s);
                if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (k, v) in pairs)
                    {
                        scope[k] = v;
                    }
                }
            }, (object?)null);
            line.Append(' ').Append(exception);
            owner.Entries.Enqueue(new LogEntry(logLevel, category, message, scope, line.ToString()));
        }
    }
}
