using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Vat;
using ScaiControl.Infrastructure.Invoicing;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Tests.Integration;

/// <summary>Gap-free numbering, immutability of finalised invoices (domain, interceptor, database trigger), outbox and audit rows.</summary>
public abstract class InvoicingTests<TApp>(TApp app, int concurrency) : IClassFixture<TApp>
    where TApp : ScaiAppFactory
{
    private ScaiDbFactory Factory => app.Services.GetRequiredService<ScaiDbFactory>();

    private InvoiceService Invoices => app.Services.GetRequiredService<InvoiceService>();

    [Fact]
    public async Task ConcurrentFinalisations_GetConsecutiveNumbersWithoutDuplicates()
    {
        var tenant = (await app.ActorForAsync(Api.Claire)).TenantId!;
        var drafts = await app.CreateDraftInvoicesAsync(tenant, concurrency);
        var ops = Actor.System("test");

        var finalised = await Task.WhenAll(drafts.Select(id => Task.Run(() => Invoices.FinaliseAsync(ops, id))));

        var sequences = finalised.Select(i => long.Parse(i.Number![^6..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(concurrency, sequences.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, concurrency).Select(n => sequences[0] + n), sequences);
        Assert.All(finalised, i => Assert.StartsWith($"SCAI-{DateTime.UtcNow.Year}-", i.Number, StringComparison.Ordinal));
        await using var db = await Factory.ForSystemAsync("test");
        var last = await db.DocumentSequences.AsNoTracking().SingleAsync(s => s.Series == "SCAI" && s.Year == DateTime.UtcNow.Year);
        Assert.Equal(sequences[^1], last.LastValue);
    }

    [Fact]
    public async Task AFailedFinalisation_LeavesNoGap()
    {
        var ops = Actor.System("test");
        var claire = (await app.ActorForAsync(Api.Claire)).TenantId!;
        var first = await Invoices.FinaliseAsync(ops, (await app.CreateDraftInvoicesAsync(claire, 1))[0]);

        // A tenant without a billing profile cannot be invoiced: the finalisation fails and takes no number.
        string orphanDraft;
        await using (var db = await Factory.ForSystemAsync("test"))
        {
            var partner = await db.Partners.SingleAsync(p => p.IsOperator);
            var tenant = new ScaiControl.Domain.Tenancy.Tenant(partner.Id, "No Profile Ltd", DateTimeOffset.UtcNow);
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            orphanDraft = (await app.CreateDraftInvoicesAsync(tenant.Id, 1))[0];
        }

        var error = await Assert.ThrowsAsync<DomainConflictException>(() => Invoices.FinaliseAsync(ops, orphanDraft));
        Assert.Contains("billing profile", error.Message, StringComparison.Ordinal);

        var next = await Invoices.FinaliseAsync(ops, (await app.CreateDraftInvoicesAsync(claire, 1))[0]);
        Assert.Equal(Sequence(first.Number!) + 1, Sequence(next.Number!));
        Assert.Equal(InvoiceStatus.Draft, (await Invoices.GetAsync(ops, orphanDraft)).Status);
    }

    [Fact]
    public async Task AFinalisedInvoice_CannotBeChanged_ByTheDomain_TheInterceptor_OrABulkUpdate()
    {
        var ops = Actor.System("test");
        var claire = (await app.ActorForAsync(Api.Claire)).TenantId!;
        var invoice = await Invoices.FinaliseAsync(ops, (await app.CreateDraftInvoicesAsync(claire, 1))[0]);

        await using (var db = await Factory.ForSystemAsync("test"))
        {
            var tracked = await db.Invoices.Include(i => i.Lines).SingleAsync(i => i.Id == invoice.Id);
            Assert.Throws<InvoiceImmutableException>(() => tracked.AddLine("Extra", 1, Money.Of(100, "EUR"), Standard()));

            // Bypass the domain: change a property behind its back; the SaveChanges interceptor refuses.
            db.Entry(tracked).Property(nameof(Invoice.Notes)).CurrentValue = "tampered";
            await Assert.ThrowsAsync<InvoiceImmutableException>(() => db.SaveChangesAsync());
        }

        await using (var db = await Factory.ForSystemAsync("test"))
        {
            // Bypass EF change tracking entirely: the database trigger refuses.
            await Assert.ThrowsAnyAsync<Exception>(() => db.Invoices.Where(i => i.Id == invoice.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.NetTotalMinor, 1)));
            await Assert.ThrowsAnyAsync<Exception>(() => db.InvoiceLines.Where(l => l.InvoiceId == invoice.Id).ExecuteDeleteAsync());
            await Assert.ThrowsAnyAsync<Exception>(() => db.Invoices.Where(i => i.Id == invoice.Id).ExecuteDeleteAsync());
        }

        var reread = await Invoices.GetAsync(ops, invoice.Id);
        Assert.Equal(invoice.NetTotalMinor, reread.NetTotalMinor);
        Assert.Equal(invoice.Number, reread.Number);
        Assert.Equal(invoice.Lines.Count, reread.Lines.Count);
    }

    [Fact]
    public async Task ASubscription_WritesItsOutboxEventAndAuditRows_InTheSameSave()
    {
        var actor = await app.ActorForAsync(Api.Anna);
        var plan = (await app.Services.GetRequiredService<ScaiControl.Infrastructure.Catalog.CatalogService>().PlansAsync(actor, "scaidrive")).First(p => p.TrialDays > 0);
        var view = await app.Services.GetRequiredService<ScaiControl.Infrastructure.Subscriptions.SubscriptionService>().SubscribeAsync(actor, plan.Id, null);
        Assert.Equal(ScaiControl.Domain.Subscriptions.SubscriptionStatus.Trialing, view.Subscription.Status);

        await using var db = await Factory.ForSystemAsync("test");
        var events = await db.OutboxEvents.AsNoTracking().Where(e => e.AggregateId == view.Subscription.Id).ToListAsync();
        var single = Assert.Single(events);
        Assert.Equal(EventTopics.SubscriptionActivated, single.Topic);
        Assert.Contains("\"status\":\"trialing\"", single.PayloadJson, StringComparison.Ordinal);
        Assert.Contains("\"trial_end\"", single.PayloadJson, StringComparison.Ordinal);
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.EntityId == view.Subscription.Id).ToListAsync();
        var created = Assert.Single(audit);
        Assert.Equal(actor.UserId, created.Actor);
        Assert.Equal("added", created.Action);
        Assert.Contains("Trialing", created.AfterJson, StringComparison.Ordinal);
    }

    private static VatDecision Standard() => new(VatRule.Domestic, VatCategory.S, new VatRate(2100), null, null);

    private static long Sequence(string number) => long.Parse(number[^6..], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>SQLite: the write transaction serialises finalisations (20 at once).</summary>
public sealed class SqliteInvoicingTests(SqliteApp app) : InvoicingTests<SqliteApp>(app, 20);

/// <summary>PostgreSQL: SELECT ... FOR UPDATE on the counter row, 50 concurrent finalisations.</summary>
public sealed class PostgresInvoicingTests(PostgresApp app) : InvoicingTests<PostgresApp>(app, 50);

public sealed class MariaDbInvoicingTests(MariaDbApp app) : InvoicingTests<MariaDbApp>(app, 50);
