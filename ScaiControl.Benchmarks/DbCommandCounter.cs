using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ScaiControl.Benchmarks;

/// <summary>
/// Counts the SQL commands EF Core executes in this process and sums their durations (EF's DiagnosticListener,
/// event CommandExecuted). Commands run in parallel (the secret reads of one batch) overlap, so the summed time can
/// exceed the wall time.
/// </summary>
internal sealed partial class DbCommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ConcurrentDictionary<string, (long Count, long Ticks)> _kinds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _compilations = new(StringComparer.Ordinal);
    private long _count;
    private long _ticks;
    private long _compiled;

    /// <summary>Starts listening (EF's listener is picked up when it appears).</summary>
    public DbCommandCounter()
    {
        lock (_subscriptions)
        {
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }
    }

    /// <summary>Zeroes the counters.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _compiled, 0);
        _kinds.Clear();
        _compilations.Clear();
    }

    /// <summary>Commands by kind ("UPDATE webhook_deliveries", "SELECT local_secrets", ...) since the last <see cref="Reset"/>, most time first.</summary>
    public IReadOnlyList<(string Kind, long Count, TimeSpan Time)> ByKind() =>
        _kinds.Select(k => (k.Key, k.Value.Count, TimeSpan.FromTicks(k.Value.Ticks))).OrderByDescending(k => k.Item3).ToList();

    /// <summary>
    /// LINQ queries EF Core compiled since the last <see cref="Reset"/> (event QueryCompilationStarting: a miss of its
    /// compiled-query cache; on a warm path every one is a query whose shape changes per request).
    /// </summary>
    public long Compilations => Interlocked.Read(ref _compiled);

    /// <summary>The compiled queries' expressions (first 300 characters) by count, most first.</summary>
    public IReadOnlyList<(string Expression, long Count)> CompiledExpressions() =>
        _compilations.Select(c => (c.Key, c.Value)).OrderByDescending(c => c.Value).ToList();

    /// <summary>Commands executed and their summed duration since the last <see cref="Reset"/>.</summary>
    public (long Count, TimeSpan Time) Read() => (Interlocked.Read(ref _count), TimeSpan.FromTicks(Interlocked.Read(ref _ticks)));

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name || name == CoreEventId.QueryCompilationStarting.Name));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is QueryExpressionEventData compiling)
        {
            Interlocked.Increment(ref _compiled);
            var text = compiling.Expression.ToString();
            _compilations.AddOrUpdate(text[..Math.Min(300, text.Length)], 1, (_, n) => n + 1);
            return;
        }

        if (value.Value is CommandExecutedEventData executed)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ticks, executed.Duration.Ticks);
            var kind = KindOf(executed.Command.CommandText);
            _kinds.AddOrUpdate(kind, (1, executed.Duration.Ticks), (_, v) => (v.Count + 1, v.Ticks + executed.Duration.Ticks));
        }
    }

    /// <summary>Each statement's verb and table (and an UPDATE's first column), e.g. "SELECT local_secrets", "UPDATE webhook_deliveries SET NextAttemptAt"; a batch's statements joined with "+".</summary>
    private static string KindOf(string sql)
    {
        var kinds = sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(statement => Statement().Match(statement))
            .Where(m => m.Success)
            .Select(m => $"{m.Groups["verb"].Value.ToUpperInvariant()} {m.Groups["table"].Value}{(m.Groups["set"].Success ? $" SET {m.Groups["set"].Value}" : string.Empty)}")
            .Distinct()
            .ToList();
        return kinds.Count == 0 ? "other" : string.Join(" + ", kinds);
    }

    [GeneratedRegex("""^(?:(?<verb>UPDATE)\s+|(?<verb>INSERT)\s+INTO\s+|(?<verb>DELETE)\s+FROM\s+|(?<verb>SELECT)\b.*?\bFROM\s+)"?(?<table>\w+)"?(?:\s+AS\s+"?\w+"?)?(?:\s+SET\s+(?:"?\w+"?\.)?"?(?<set>\w+))?""", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Statement();

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
