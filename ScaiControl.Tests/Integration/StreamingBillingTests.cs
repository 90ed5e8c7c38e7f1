using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Billing;
using ScaiControl.Domain.Catalog;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Tests.Integration;

/// <summary>
/// What a streaming billing run records (<see cref="BillingRunOptions"/> hooks), and which tenants fail inside their
/// batch (fault injection: the run's batch transaction fails as a whole).
/// </summary>
public sealed class BillingRunProbe
{
    /// <summary>Subscriptions per page.</summary>
    public const int PageSize = 4;

    /// <summary>Rows of each page the run read.</summary>
    public ConcurrentQueue<int> Pages { get; } = new();

    /// <summary>Each committed batch.</summary>
    public ConcurrentQueue<BillingBatchReport> Batches { get; } = new();

    /// <summary>Tenants whose billing throws inside the batch transaction.</summary>
    public ConcurrentDictionary<string, byte> Failing { get; } = new();

    /// <summary>The options with a small page (4 subscriptions) and batch (3 invoices), reporting here.</summary>
    public BillingRunOptions Options() => new()
    {
        PageSize = PageSize,
        BatchSize = 3,
        PageRead = Pages.Enqueue,
        BatchCommitted = Batches.Enqueue,
        TenantFault = id =>
        {
            if (Failing.ContainsKey(id))
            {
                throw new InvalidOperationException($"injected fault for {id}");
            }
        },
    };
}

/// <summary>A clocked app whose billing run streams in pages of 4 and batches of 3 (<see cref="BillingRunProbe"/>).</summary>
public interface IStreamingApp : IClockedApp
{
    /// <summary>What the run did.</summary>
    BillingRunProbe Probe { get; }
}

/// <summary>On SQLite.</summary>
public sealed class StreamingSqliteApp : SqliteApp, IStreamingApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    public BillingRunProbe Probe { get; } = new();

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Jobs:Enabled", "false")];

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock).AddSingleton(Probe.Options()));
    }
}

/// <summary>On PostgreSQL.</summary>
public sealed class StreamingPostgresApp : PostgresApp, IStreamingApp
{
    /// <inheritdoc/>
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <inheritdoc/>
    public BillingRunProbe Probe { get; } = new();

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Jobs:Enabled", "false")];

    /// <inheritdoc/>
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock).AddSingleton(Probe.Options()));
    }
}

/// <summary>
/// Issue 12, at scale (docs/decisions/0010): the run streams the due subscriptions in keyset pages and never holds
/// more than a page of them, finalises in batches of one seller's series with gap-free numbers, rolls a failing batch
/// back whole (no gap) and then bills its tenants one by one, so the bad tenant is an error on the run while the others
/// are invoiced; a second run creates nothing; each invoice has one audit entry, not a row per column change.
/// </summary>
public abstract class StreamingBillingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : ScaiAppFactory, IClockedApp
{
    private const int PageSize = BillingRunProbe.PageSize;

    private static DateTimeOffset At(string rfc3339) => DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture);

    private BillingRunService Billing => app.Services.GetRequiredService<BillingRunService>();

    private BillingRunProbe Probe => ((IStreamingApp)app).Probe;

    private ScaiDbFactory Factory => app.Services.GetRequiredService<ScaiDbFactory>();

    [Fact]
    public async Task ARunStreamsInPages_BillsEveryTenant_RecordsTheBadOne_LeavesNoGap_AndASecondRunCreatesNothing()
    {
        app.Clock.Now = At("2026-03-05T10:00:00Z");
        var ops = await app.ActorForAsync(Api.Ops);
        // Whatever the demo data has due is billed first, so the run below bills only the tenants seeded here.
        await Billing.RunNowAsync(ops, "2026-03");

        // 12 tenants with 1 or 2 subscriptions (18), so tenants straddle page boundaries and batches hold several tenants.
        var (partnerId, tenants) = await SeedAsync(tenantCount: 12, start: At("2026-03-05T09:00:00Z"));
        var bad = tenants[4];
        Probe.Failing[bad] = 0;
        while (Probe.Pages.TryDequeue(out _))
        {
        }

        while (Probe.Batches.TryDequeue(out _))
        {
        }

        app.Clock.Now = At("2026-03-05T10:05:00Z");
        var run = await Billing.RunNowAsync(ops, "2026-03");

        Assert.Equal(BillingRunStatus.Completed, run.Status);
        Assert.Equal((12, 12, 11, 11), (run.TenantsTotal, run.TenantsProcessed, run.InvoicesCreated, run.InvoicesFinalised));
        Assert.Contains($"{bad}: not invoiced: injected fault for {bad}", run.Errors, StringComparison.Ordinal);

        // Streamed: 18 subscriptions came in pages of at most 4, and no batch held more than a page of them.
        Assert.True(Probe.Pages.Count >= 18 / PageSize, $"pages: {string.Join(",", Probe.Pages)}");
        Assert.All(Probe.Pages, n => Assert.InRange(n, 0, PageSize));
        Assert.Equal(18, Probe.Pages.Sum());
        Assert.Contains(Probe.Batches, b => b.Invoices > 1);
        Assert.All(Probe.Batches, b => Assert.InRange(b.SubscriptionsHeld, 0, PageSize));
        Assert.All(Probe.Batches, b => Assert.Equal(partnerId, b.PartnerId));

        await using (var db = await Factory.ForSystemAsync("test"))
        {
            var invoices = await db.Invoices.AsNoTracking().Include(i => i.Lines).Where(i => tenants.Contains(i.TenantId)).ToListAsync();
            Assert.Equal(tenants.Where(t => t != bad).Order(), invoices.Select(i => i.TenantId).Order());
            Assert.All(invoices, i => Assert.Equal((InvoiceStatus.Finalised, 1 + (tenants.IndexOf(i.TenantId) % 2)), (i.Status, i.Lines.Count)));
            Assert.Equal(run.Id, Assert.Single(invoices.Select(i => i.BillingRunId).Distinct()));

            // The bad tenant's periods stay unbilled, for the next run.
            Assert.All(await db.Subscriptions.AsNoTracking().Where(s => s.TenantId == bad).ToListAsync(), s => Assert.Null(s.BilledThrough));

            // Gap-free: the seller's series this year is 1..N with nothing missing, and the counter stands at N.
            var prefix = invoices[0].Number![..invoices[0].Number!.LastIndexOf('-')];
            var numbers = await db.Invoices.AsNoTracking().Where(i => i.PartnerId == partnerId && i.Number != null && i.Number.StartsWith(prefix + "-")).Select(i => i.Number!).ToListAsync();
            var sequence = numbers.Select(n => long.Parse(n[(n.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, sequence.Count).Select(n => (long)n), sequence);

            // The audit trail: one entry per invoice saying who finalised which number, not a row per column change.
            var ids = invoices.Select(i => i.Id).ToList();
            var audit = await db.AuditLog.AsNoTracking().Where(a => ids.Contains(a.EntityId) && a.EntityType == nameof(Invoice)).ToListAsync();
            Assert.Equal(ids.Order(), audit.Select(a => a.EntityId).Order());
            Assert.All(audit, a => Assert.Equal(("finalised", "system:billing-run"), (a.Action, a.Actor)));
            Assert.All(invoices, i => Assert.Contains(i.Number!, audit.Single(a => a.EntityId == i.Id).AfterJson, StringComparison.Ordinal));
            Assert.True(await db.AuditLog.CountAsync(a => a.Action == "billing_batch" && a.EntityId == run.Id) >= 3);
        }

        // The bad tenant repaired: the next run bills it alone and the series goes on without a gap.
        Probe.Failing.Clear();
        var again = await Billing.RunNowAsync(ops, "2026-03");
        Assert.Equal((1, 1, ""), (again.InvoicesCreated, again.InvoicesFinalised, again.Errors));

        // Nothing left: a further run creates nothing.
        var idle = await Billing.RunNowAsync(ops, "2026-03");
        Assert.Equal((0, 0, 0), (idle.TenantsTotal, idle.InvoicesCreated, idle.InvoicesFinalised));
        await using (var db = await Factory.ForSystemAsync("test"))
        {
            var numbers = await db.Invoices.AsNoTracking().Where(i => i.PartnerId == partnerId && i.Number != null && i.IssueDate!.Value.Year == 2026 && i.DocumentType == DocumentType.Invoice).Select(i => i.Number!).ToListAsync();
            var sequence = numbers.Select(n => long.Parse(n[(n.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            Assert.Equal(Enumerable.Range(1, sequence.Count).Select(n => (long)n), sequence);
            Assert.Equal(12, await db.Invoices.CountAsync(i => tenants.Contains(i.TenantId)));
        }
    }

    /// <summary>Tenants of the first configured seller, each with a billing profile and 1 (even) or 2 (odd) monthly EUR subscriptions started at <paramref name="start"/>.</summary>
    private async Task<(string PartnerId, List<string> Tenants)> SeedAsync(int tenantCount, DateTimeOffset start)
    {
        await using var db = await Factory.ForSystemAsync("test seed");
        var partnerId = await db.PartnerConfigurations.AsNoTracking().OrderBy(c => c.PartnerId).Select(c => c.PartnerId).FirstAsync();
        var services = await db.Services.AsNoTracking().ToDictionaryAsync(s => s.Id);
        var plans = (await db.Plans.AsNoTracking().Where(p => p.Currency == "EUR" && p.IsActive && p.TrialDays == 0 && p.Interval == BillingInterval.Month).ToListAsync())
            .Where(p => p.TermPeriods is null or 0 && services[p.ServiceId].IsActive).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        var tenants = new List<string>();
        for (var t = 0; t < tenantCount; t++)
        {
            var tenant = new Tenant(partnerId, $"Streaming Tenant {t:D2}", start);
            db.Tenants.Add(tenant);
            db.TenantBillingProfiles.Add(new TenantBillingProfile(partnerId, tenant.Id, tenant.Name, PostalAddress.Create("Stationsplein 1", null, "3511 ED", "Utrecht", "NL"), null, $"billing{t}@streaming.example", start));
            for (var s = 0; s < 1 + (t % 2); s++)
            {
                var plan = plans[(t + s) % plans.Count];
                db.Subscriptions.Add(Subscription.Start(partnerId, tenant.Id, services[plan.ServiceId], plan, start));
            }

            tenants.Add(tenant.Id);
        }

        await db.SaveChangesAsync();
        return (partnerId, tenants);
    }
}

/// <summary>On SQLite.</summary>
public sealed class SqliteStreamingBillingTests(StreamingSqliteApp app) : StreamingBillingTests<StreamingSqliteApp>(app);

/// <summary>On PostgreSQL.</summary>
public sealed class PostgresStreamingBillingTests(StreamingPostgresApp app) : StreamingBillingTests<StreamingPostgresApp>(app);
