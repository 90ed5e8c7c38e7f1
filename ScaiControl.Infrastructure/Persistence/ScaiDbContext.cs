using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Audit;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Identity;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Templates;
using ScaiControl.Domain.Tenancy;

namespace ScaiControl.Infrastructure.Persistence;

/// <summary>
/// The EF Core model of ScaiControl. Every <see cref="ITenantOwned"/> entity carries the tenant query filter (one filter per entity:
/// EF Core 9 has no named filters; the spec's do_orm_execute hook, spec 000), fed from <see cref="Scope"/>; partner-owned rows are filtered by
/// partner. The filter's shape depends on the scope's kind (<see cref="FilterKind"/>, one cached model per kind), its ids are parameters. Create instances through <see cref="ScaiDbFactory"/>, never directly: the factory picks the scope.
/// Provider subclasses (<see cref="SqliteScaiDbContext"/>, <see cref="PostgresScaiDbContext"/>, <see cref="MariaDbScaiDbContext"/>) own their migrations.
/// </summary>
public abstract class ScaiDbContext(DbContextOptions options, DataScope scope) : DbContext(options)
{
    // Read by the query filters; EF Core turns these fields into parameters of each query.
    private readonly bool _crossTenant = scope.CrossTenant;
    private readonly string? _partnerId = scope.PartnerId;
    private readonly string? _tenantId = scope.TenantId;

    /// <summary>The scope this context sees and writes.</summary>
    public DataScope Scope { get; } = scope;

    public DbSet<Partner> Partners => Set<Partner>();
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<Plan> Plans => Set<Plan>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<TenantBillingProfile> TenantBillingProfiles => Set<TenantBillingProfile>();
    public DbSet<PartnerConfiguration> PartnerConfigurations => Set<PartnerConfiguration>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();
    public DbSet<InvoiceDocument> InvoiceDocuments => Set<InvoiceDocument>();
    public DbSet<DocumentSequence> DocumentSequences => Set<DocumentSequence>();
    public DbSet<BillingRun> BillingRuns => Set<BillingRun>();
    public DbSet<InvoiceTemplate> InvoiceTemplates => Set<InvoiceTemplate>();
    public DbSet<OutboxEvent> OutboxEvents => Set<OutboxEvent>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<ScaiControl.Domain.Webhooks.WebhookSubscription> WebhookSubscriptions => Set<ScaiControl.Domain.Webhooks.WebhookSubscription>();
    public DbSet<ScaiControl.Domain.Webhooks.WebhookDelivery> WebhookDeliveries => Set<ScaiControl.Domain.Webhooks.WebhookDelivery>();
    public DbSet<ScaiControl.Domain.Webhooks.WebhookDeliveryAttempt> WebhookDeliveryAttempts => Set<ScaiControl.Domain.Webhooks.WebhookDeliveryAttempt>();
    public DbSet<ScaiControl.Infrastructure.Secrets.LocalSecret> LocalSecrets => Set<ScaiControl.Infrastructure.Secrets.LocalSecret>();
    public DbSet<ServicePack> ServicePacks => Set<ServicePack>();
    public DbSet<ServicePackItem> ServicePackItems => Set<ServicePackItem>();
    public DbSet<PackSubscription> PackSubscriptions => Set<PackSubscription>();
    public DbSet<SubscriptionCharge> SubscriptionCharges => Set<SubscriptionCharge>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<UserGroup> UserGroups => Set<UserGroup>();
    public DbSet<Role> Roles => Set<Role>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<IdentitySyncRun> IdentitySyncRuns => Set<IdentitySyncRun>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ScaiControl.Domain.Registry.RegisteredService> RegisteredServices => Set<ScaiControl.Domain.Registry.RegisteredService>();
    public DbSet<ScaiControl.Domain.Registry.ServiceHealthEvent> ServiceHealthEvents => Set<ScaiControl.Domain.Registry.ServiceHealthEvent>();
    public DbSet<ScaiControl.Domain.Usage.Meter> Meters => Set<ScaiControl.Domain.Usage.Meter>();
    public DbSet<ScaiControl.Domain.Usage.UsageEvent> UsageEvents => Set<ScaiControl.Domain.Usage.UsageEvent>();
    public DbSet<ScaiControl.Domain.Usage.UsageRollup> UsageRollups => Set<ScaiControl.Domain.Usage.UsageRollup>();
    public DbSet<ScaiControl.Domain.Usage.UsageUniqueValue> UsageUniqueValues => Set<ScaiControl.Domain.Usage.UsageUniqueValue>();
    public DbSet<ScaiControl.Domain.Usage.PlanUsageCharge> PlanUsageCharges => Set<ScaiControl.Domain.Usage.PlanUsageCharge>();
    public DbSet<ScaiControl.Domain.Usage.UsageQuotaNotice> UsageQuotaNotices => Set<ScaiControl.Domain.Usage.UsageQuotaNotice>();
    public DbSet<ScaiControl.Domain.Usage.UsagePeriodClose> UsagePeriodCloses => Set<ScaiControl.Domain.Usage.UsagePeriodClose>();
    public DbSet<ScaiControl.Domain.Usage.UsageCorrection> UsageCorrections => Set<ScaiControl.Domain.Usage.UsageCorrection>();

    private HashSet<(string PartnerId, string TenantId)>? _tenantsRead;

    /// <summary>Set by <see cref="ScaiDbFactory"/> on operator contexts: writes the coalesced per-tenant operator_access rows on dispose.</summary>
    internal Func<ScaiDbContext, IReadOnlyCollection<(string PartnerId, string TenantId)>, Task>? TenantReadSink { get; set; }

    /// <summary>The reason an operator context was opened with (recorded on its operator_access rows).</summary>
    internal string? AccessReason { get; set; }

    /// <summary>
    /// Set by the billing run's batch context (issue 12): the invoices, lines, documents, accounts and the billed
    /// subscription / pack / charge / usage-close rows it writes are NOT audited row by row by
    /// <see cref="Interceptors.AuditAndOutboxInterceptor"/>; the run writes one "finalised" audit entry per invoice
    /// (who, which number, when, the totals) and a "billing_batch" summary row per batch instead. Outbox events are
    /// still written.
    /// </summary>
    internal bool BillingRunAudit { get; set; }

    /// <summary>Notes that this cross-tenant context read a row of <paramref name="tenantId"/> (<see cref="TenantReadInterceptor"/>).</summary>
    internal void NoteTenantRead(string partnerId, string tenantId)
    {
        if (TenantReadSink is not null)
        {
            (_tenantsRead ??= []).Add((partnerId, tenantId));
        }
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await FlushTenantReadsAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        FlushTenantReadsAsync().GetAwaiter().GetResult();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task FlushTenantReadsAsync()
    {
        if (_tenantsRead is { Count: > 0 } reads && TenantReadSink is { } sink)
        {
            _tenantsRead = null;
            await sink(this, reads);
        }
    }

    /// <summary>True when <paramref name="partnerId"/>/<paramref name="tenantId"/> lie inside this context's scope (used on save).</summary>
    public bool InScope(string partnerId, string? tenantId) =>
        _crossTenant || (_tenantId is not null ? tenantId == _tenantId && partnerId == _partnerId : _partnerId is not null && partnerId == _partnerId);

    /// <summary>
    /// Which shape the query filters take in this context's model: each scope kind has a model of its own
    /// (<see cref="ScopeModelCacheKeyFactory"/>), so every filter is one plain, indexable comparison
    /// (<c>"TenantId" = @p</c> for a tenant, <c>"PartnerId" = @p</c> for a partner, none across tenants, <c>FALSE</c>
    /// for nothing) instead of one expression over every scope that SQLite cannot simplify (issue 13).
    /// </summary>
    public ScopeKind FilterKind { get; } = scope.Kind;

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ScaiDbContext).Assembly);
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Select(e => e.ClrType).ToList())
        {
            if (typeof(ITenantOwned).IsAssignableFrom(entityType))
            {
                typeof(ScaiDbContext).GetMethod(nameof(FilterTenantOwned), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .MakeGenericMethod(entityType).Invoke(this, [modelBuilder]);
            }
        }

        // Partner-owned and identity rows: a tenant user sees its own tenant, a partner its own rows.
        Filter<Tenant>(modelBuilder, t => t.Id == _tenantId, t => t.PartnerId == _partnerId);
        Filter<PartnerConfiguration>(modelBuilder, c => c.PartnerId == _partnerId, c => c.PartnerId == _partnerId);
        Filter<Partner>(modelBuilder, p => p.Id == _partnerId, p => p.Id == _partnerId);
        Filter<ScaiControl.Domain.Webhooks.WebhookSubscription>(modelBuilder, null, w => w.PartnerId == _partnerId);
        Filter<User>(modelBuilder, u => u.TenantId == _tenantId, u => u.PartnerId == _partnerId);

        // Identity rows reflected from ScaiKey and service API keys: filtered like users (a tenant sees its own, a partner its own partner's).
        Filter<Group>(modelBuilder, g => g.TenantId == _tenantId, g => g.PartnerId == _partnerId);
        Filter<RoleAssignment>(modelBuilder, r => r.TenantId == _tenantId, r => r.PartnerId == _partnerId);
        Filter<ApiKey>(modelBuilder, k => k.TenantId == _tenantId, k => k.PartnerId == _partnerId);

        // The service registry (issue 14): a partner (or its service keys) sees its own registrations; tenants none.
        Filter<ScaiControl.Domain.Registry.RegisteredService>(modelBuilder, null, r => r.PartnerId == _partnerId);
        Filter<ScaiControl.Domain.Registry.ServiceHealthEvent>(modelBuilder, null, e => e.PartnerId == _partnerId);
    }

    /// <summary>
    /// Puts this model's filter on <typeparamref name="T"/>: <paramref name="tenant"/> in a tenant scope,
    /// <paramref name="partner"/> in a partner scope (null: the scope sees no rows), nothing across tenants, and a
    /// filter that matches no row when the scope is empty (fails closed).
    /// </summary>
    private void Filter<T>(ModelBuilder modelBuilder, Expression<Func<T, bool>>? tenant, Expression<Func<T, bool>>? partner)
        where T : class
    {
        Expression<Func<T, bool>> none = _ => false;
        var filter = FilterKind switch
        {
            ScopeKind.CrossTenant => null,
            ScopeKind.Tenant => tenant ?? none,
            ScopeKind.Partner => partner ?? none,
            _ => none,
        };
        if (filter is not null)
        {
            modelBuilder.Entity<T>().HasQueryFilter(filter);
        }
    }

    /// <summary>role_assignments names exactly one subject, a user or a group (the provider's identifier quote in <paramref name="q"/>).</summary>
    private protected static void RoleAssignmentSubjectCheck(ModelBuilder modelBuilder, char q) =>
        modelBuilder.Entity<RoleAssignment>().ToTable(t => t.HasCheckConstraint("CK_role_assignments_one_subject", $"({q}UserId{q} IS NULL) <> ({q}GroupId{q} IS NULL)"));

    private void FilterTenantOwned<T>(ModelBuilder modelBuilder)
        where T : class, ITenantOwned =>
        Filter<T>(modelBuilder, e => e.TenantId == _tenantId, e => e.PartnerId == _partnerId);
}

/// <summary>
/// Keys EF Core's model cache by context type AND <see cref="ScaiDbContext.FilterKind"/>: four models per provider,
/// each with the filter shape of its scope kind (the ids stay parameters, so one model serves every tenant).
/// </summary>
public sealed class ScopeModelCacheKeyFactory : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
{
    /// <inheritdoc/>
    public object Create(DbContext context, bool designTime) =>
        context is ScaiDbContext scai ? (context.GetType(), scai.FilterKind, designTime) : (context.GetType(), designTime);
}

/// <summary>The SQLite flavour (embedded default). DateTimeOffset is stored as fixed-width UTC ISO 8601 text so it sorts and compares.</summary>
public sealed class SqliteScaiDbContext(DbContextOptions options, DataScope scope) : ScaiDbContext(options, scope)
{
    /// <inheritdoc/>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcIsoTextConverter>().HaveMaxLength(33);
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        RoleAssignmentSubjectCheck(modelBuilder, '"');
    }
}

/// <summary>The PostgreSQL flavour (production). DateTimeOffset maps to timestamptz (UTC).</summary>
public sealed class PostgresScaiDbContext(DbContextOptions options, DataScope scope) : ScaiDbContext(options, scope)
{
    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        RoleAssignmentSubjectCheck(modelBuilder, '"');
    }
}

/// <summary>
/// The MariaDB flavour (single server or Galera; Pomelo). utf8mb4 with the binary collation, so strings compare and
/// sort by code point as on SQLite and PostgreSQL (ids, idempotency keys, e-mails stay case-sensitive); InnoDB (the
/// server default, checked by the tests: Galera replicates InnoDB only); every table has a primary key (Galera needs
/// one). DateTimeOffset is stored as UTC DATETIME(6) (<see cref="UtcDateTimeConverter"/>), money stays BIGINT minor units.
/// </summary>
/// <remarks>
/// EF Core's automatic savepoint before a SaveChanges inside a user transaction is switched off: when Galera aborts
/// the transaction (a conflicting write from another node, error 1213) while the client is between statements, the
/// next statement reports it, and EF swallows a failed SAVEPOINT; the SaveChanges that followed would then run, and
/// commit statement by statement, OUTSIDE the rolled-back transaction (seen here as half-finalised invoices). Without
/// the savepoint the first write reports the abort and the whole unit is retried.
/// </remarks>
public sealed class MariaDbScaiDbContext : ScaiDbContext
{
    /// <summary>A context on <paramref name="options"/> seeing <paramref name="scope"/>.</summary>
    public MariaDbScaiDbContext(DbContextOptions options, DataScope scope)
        : base(options, scope)
    {
        Database.AutoSavepointsEnabled = false;
    }

    /// <summary>The server version the model and migrations are built for (fixed, so design time needs no server).</summary>
    public static readonly Microsoft.EntityFrameworkCore.MariaDbServerVersion ServerVersion = new(new Version(10, 11));

    /// <inheritdoc/>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcDateTimeConverter>().HaveColumnType("datetime(6)");
    }

    /// <inheritdoc/>
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasCharSet("utf8mb4").UseCollation("utf8mb4_bin");
        base.OnModelCreating(modelBuilder);
        RoleAssignmentSubjectCheck(modelBuilder, '`');
    }
}

/// <summary>Stores a DateTimeOffset as its UTC DateTime (MariaDB DATETIME(6) has no offset); read back with offset +00:00.</summary>
public sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, DateTime>(
    v => v.UtcDateTime,
    v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)));

/// <summary>Stores a DateTimeOffset as UTC "yyyy-MM-ddTHH:mm:ss.fffffff+00:00" (fixed width: text order = time order).</summary>
public sealed class UtcIsoTextConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, string>(
    v => v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", System.Globalization.CultureInfo.InvariantCulture),
    v => DateTimeOffset.Parse(v, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime());

/// <summary>A gap-free number series: the last number given out for (seller partner, series, year).</summary>
public sealed class DocumentSequence
{
    public string PartnerId { get; set; } = default!;
    public string Series { get; set; } = default!;
    public int Year { get; set; }
    public long LastValue { get; set; }
}
