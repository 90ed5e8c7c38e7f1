using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using ScaiControl.Domain.Audit;
using ScaiControl.Infrastructure.Persistence.Interceptors;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// Creates short-lived <see cref="ScaiDbContext"/> instances, one per operation, each bound to a
/// <see cref="DataScope"/>. This is the ONLY way to cross tenants: <see cref="ForOperatorAsync"/> (operator users)
/// and <see cref="ForSystemAsync"/> (background jobs) check the right and write "operator_access" audit rows,
/// coalesced per actor and window (<see cref="OperatorAccessLog"/>): one for opening the scope with a reason, and for
/// operators one per tenant whose rows were read.
/// </summary>
public sealed class ScaiDbFactory
{
    private readonly DbContextOptions _options;
    private readonly TimeProvider _clock;

    /// <summary>
    /// Builds the provider's options once (interceptors included). MariaDB gets the retrying execution strategy
    /// (<see cref="GaleraRetryingExecutionStrategy"/>, up to <see cref="DatabaseOptions.MaxRetries"/> retries per unit of
    /// work), whose retries are logged through <paramref name="loggers"/>.
    /// </summary>
    public ScaiDbFactory(DatabaseOptions database, TimeProvider clock, Microsoft.Extensions.Logging.ILoggerFactory? loggers = null)
    {
        _clock = clock;
        Provider = database.Provider;
        IInterceptor[] interceptors = [new InvoiceImmutabilityInterceptor(), new AuditAndOutboxInterceptor(clock), TenantReadInterceptor.Instance];
        var builder = new DbContextOptionsBuilder();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var csb = new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 60 };
            var dir = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
            if (!string.IsNullOrEmpty(dir) && csb.DataSource != ":memory:")
            {
                Directory.CreateDirectory(dir);
            }

            builder.UseSqlite(csb.ToString(), o => o.MigrationsHistoryTable("__ef_migrations"));
        }
        else if (database.Provider == DatabaseProvider.MariaDb)
        {
            var logger = (loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger(typeof(GaleraRetryingExecutionStrategy).FullName!);
            builder.UseMySql(database.ConnectionString, MariaDbScaiDbContext.ServerVersion, o => o
                .MigrationsHistoryTable("__ef_migrations")
                // One statement per round trip: when Galera aborts a transaction between statements, the next packet
                // reports it, and the rest of a multi-statement batch must never run (it would run outside the
                // rolled-back transaction, autocommitted). docs/decisions/0008.
                .MaxBatchSize(1)
                .ExecutionStrategy(d => new GaleraRetryingExecutionStrategy(d, logger, database.MaxRetries)));
        }
        else
        {
            builder.UseNpgsql(database.ConnectionString, o => o.MigrationsHistoryTable("__ef_migrations"));
        }

        // One cached model per scope kind, so each kind's query filter is a plain indexable comparison (ScaiDbContext.FilterKind).
        builder.ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, ScopeModelCacheKeyFactory>();
        _options = builder.AddInterceptors(interceptors).Options;
    }

    /// <summary>The configured provider.</summary>
    public DatabaseProvider Provider { get; }

    /// <summary>Which operator_access rows this node has written in the current windows.</summary>
    private OperatorAccessLog AccessLog { get; } = new();

    /// <summary>A context limited to what <paramref name="actor"/> may see: its tenant, or its partner's tenants.</summary>
    public ScaiDbContext ForActor(Actor actor) => Create(new DataScope(actor.UserId, actor.PartnerId, actor.TenantId, false));

    /// <summary>
    /// A cross-tenant context for an operator (super_admin), audited with <paramref name="reason"/>.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The actor is not super_admin.</exception>
    public async Task<ScaiDbContext> ForOperatorAsync(Actor actor, string reason, CancellationToken ct = default)
    {
        if (!actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator may act across tenants.");
        }

        var db = Create(new DataScope(actor.UserId, actor.PartnerId, null, true));
        db.AccessReason = reason;
        var system = actor.UserId.StartsWith("system:", StringComparison.Ordinal);
        if (!system)
        {
            db.TenantReadSink = RecordTenantReadsAsync;
        }

        var now = _clock.GetUtcNow();
        if (AccessLog.TryClaim(actor.UserId, "scope:" + reason, now, out var windowStart))
        {
            try
            {
                db.AuditLog.Add(new AuditEntry(actor.UserId, actor.PartnerId, null, "operator_access", "scope", "*", null, AccessDetails(reason, windowStart), now));
                await db.SaveChangesAsync(ct);
            }
            catch
            {
                AccessLog.Release(actor.UserId, "scope:" + reason, windowStart);
                await db.DisposeAsync();
                throw;
            }
        }

        return db;
    }

    /// <summary>The operator_access row's details: the reason and the window it stands for (RFC 3339 UTC).</summary>
    private static string AccessDetails(string reason, DateTimeOffset windowStart) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["reason"] = reason,
            ["window_start"] = windowStart.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["window_end"] = windowStart.Add(OperatorAccessLog.Window).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>Writes one operator_access row per tenant <paramref name="db"/> read that this window has no row for yet.</summary>
    private async Task RecordTenantReadsAsync(ScaiDbContext db, IReadOnlyCollection<(string PartnerId, string TenantId)> tenants)
    {
        var now = _clock.GetUtcNow();
        var actor = db.Scope.ActorId;
        var fresh = new List<(string PartnerId, string TenantId, DateTimeOffset WindowStart)>();
        foreach (var (partnerId, tenantId) in tenants)
        {
            if (AccessLog.TryClaim(actor, "tenant:" + tenantId, now, out var windowStart))
            {
                fresh.Add((partnerId, tenantId, windowStart));
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        try
        {
            await using var log = Create(DataScope.Nothing(actor));
            log.AuditLog.AddRange(fresh.Select(t => new AuditEntry(actor, t.PartnerId, t.TenantId, "operator_access", "tenant", t.TenantId, null, AccessDetails(db.AccessReason ?? "", t.WindowStart), now)));
            await log.SaveChangesAsync(CancellationToken.None);
        }
        catch
        {
            fresh.ForEach(t => AccessLog.Release(actor, "tenant:" + t.TenantId, t.WindowStart));
            throw;
        }
    }

    /// <summary>A cross-tenant context for a background job ("system:&lt;job&gt;"), audited like the operator path.</summary>
    public Task<ScaiDbContext> ForSystemAsync(string job, CancellationToken ct = default) => ForOperatorAsync(Actor.System(job), job, ct);

    /// <summary>
    /// The context a request works in: the operator's audited cross-tenant path for super_admin, otherwise the
    /// actor's own tenant/partner scope. <paramref name="purpose"/> is recorded for the operator.
    /// </summary>
    public async Task<ScaiDbContext> OpenAsync(Actor actor, string purpose, CancellationToken ct = default) =>
        actor.IsSuperAdmin ? await ForOperatorAsync(actor, purpose, ct) : ForActor(actor);

    /// <summary>A context with no tenant scope (sees no tenant-owned rows): migrations, catalog reads, the dev sign-in list.</summary>
    public ScaiDbContext ForPlatform(string actorId = "platform") => Create(DataScope.Nothing(actorId));

    /// <summary>Applies pending migrations of the configured provider.</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var db = ForPlatform("system:migrate");
        await db.Database.MigrateAsync(ct);
        if (Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers run while the single writer commits (persisted in the database file).
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    private ScaiDbContext Create(DataScope scope) => Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteScaiDbContext(_options, scope),
        DatabaseProvider.MariaDb => new MariaDbScaiDbContext(_options, scope),
        _ => new PostgresScaiDbContext(_options, scope),
    };
}
