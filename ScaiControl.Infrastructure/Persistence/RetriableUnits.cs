using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Database retries: the counter every retried unit of work adds to (metric <c>scai.db.retries</c>, tag <c>unit</c>,
/// on the meter <see cref="MeterName"/>), and <see cref="RunAsync{T}"/>, which runs one unit of work through EF Core's
/// execution strategy. On MariaDB/Galera a write that conflicts with another node's surfaces at COMMIT as error 1213
/// (docs/decisions/0008); the strategy (<see cref="GaleraRetryingExecutionStrategy"/>) then runs the whole unit again.
/// On SQLite and PostgreSQL the strategy runs it once.
/// </summary>
public static class RetriableUnits
{
    /// <summary>The meter the retry counter lives on (for OpenTelemetry / Prometheus registration).</summary>
    public const string MeterName = "ScaiControl.Database";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Retries of a unit of work after a transient database error (deadlock / Galera certification conflict), by unit.</summary>
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("scai.db.retries", unit: "{retry}", description: "Units of work run again after a transient database error (MariaDB 1213/1205, Galera certification conflicts), by unit.");

    private static readonly AsyncLocal<string?> CurrentUnit = new();
    private static long _total;

    /// <summary>Retries counted since the process started (all units); the metric carries the same count by unit.</summary>
    public static long Total => Interlocked.Read(ref _total);

    /// <summary>The unit of work running on this async flow ("save" for a SaveChanges outside <see cref="RunAsync{T}"/>).</summary>
    public static string Unit => CurrentUnit.Value ?? "save";

    /// <summary>
    /// Runs <paramref name="work"/> as one retriable unit named <paramref name="unit"/> (e.g. "finalise", "webhook-claim").
    /// <paramref name="work"/> gets the attempt number (1, 2, ...) and must be idempotent by construction: it re-reads
    /// what it decides on, inside its own transaction, and on a later attempt starts from a clean change tracker.
    /// </summary>
    /// <exception cref="RetryLimitExceededException">The unit kept failing with a transient error.</exception>
    public static async Task<T> RunAsync<T>(ScaiDbContext db, string unit, Func<int, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var previous = CurrentUnit.Value;
        CurrentUnit.Value = unit;
        try
        {
            var attempt = 0;
            return await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
            {
                attempt++;
                if (attempt > 1)
                {
                    db.ChangeTracker.Clear();
                }

                return await work(attempt, token);
            }, ct);
        }
        finally
        {
            CurrentUnit.Value = previous;
        }
    }

    /// <summary>Counts one retry of the current unit.</summary>
    internal static void Record()
    {
        Interlocked.Increment(ref _total);
        Retries.Add(1, new KeyValuePair<string, object?>("unit", Unit));
        if (Unit == "finalise")
        {
            // The business metric of docs/deployment.md: a finalisation (which takes the gap-free number) ran again.
            Observability.ScaiMetrics.NumberingRetries.Add(1, new KeyValuePair<string, object?>("provider", "mariadb"));
        }
    }
}

/// <summary>
/// The MariaDB execution strategy: Pomelo's retrying strategy with the errors a Galera cluster answers under write
/// conflicts (1213 deadlock / certification failure, 1205 lock wait timeout, 1047 WSREP not ready), short jittered
/// delays (a certification conflict clears as soon as the other node's write set is applied), and every retry counted
/// (<see cref="RetriableUnits.Retries"/>) and logged.
/// </summary>
public sealed class GaleraRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, ILogger logger, int maxRetries)
    : MySqlRetryingExecutionStrategy(dependencies, maxRetries, TimeSpan.FromSeconds(2), RetryErrors)
{
    /// <summary>MariaDB error numbers retried besides Pomelo's transient set.</summary>
    public static readonly int[] RetryErrors = [1213, 1205, 1047];

    /// <inheritdoc/>
    protected override void OnRetry()
    {
        RetriableUnits.Record();
        var last = ExceptionsEncountered.Count > 0 ? ExceptionsEncountered[^1] : null;
        var code = (last as MySqlException ?? last?.InnerException as MySqlException)?.Number;
        logger.LogWarning("Database unit {Unit} retried (attempt {Attempt}) after MariaDB error {Code}: {Message}", RetriableUnits.Unit, ExceptionsEncountered.Count + 1, code, last?.Message);
        base.OnRetry();
    }

    /// <inheritdoc/>
    protected override TimeSpan? GetNextDelay(Exception lastException)
    {
        if (base.GetNextDelay(lastException) is null)
        {
            return null;
        }

        // 5..40 ms, doubling per retry up to ~0.6 s: long enough for the winning write set to be applied here.
        var n = Math.Min(ExceptionsEncountered.Count, 5);
        return TimeSpan.FromMilliseconds(Random.Shared.Next(5, 40) * (1 << (n - 1)));
    }
}
