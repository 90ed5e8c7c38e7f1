using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Payments;
using ScaiControl.Domain.Subscriptions;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Persistence.Interceptors;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>
/// The payment-side steps that run inside other units of work, in their transaction: opening an invoice's account
/// at finalisation (the one hook in <c>InvoiceService</c>), allocating a credit note, and settling dunning when an
/// invoice no longer has anything due. Nothing here saves; the caller's SaveChanges writes it all at once.
/// </summary>
public static class PaymentLedger
{
    /// <summary>
    /// The payment terms (days) for an invoice of <paramref name="partnerId"/> to <paramref name="tenantId"/>: the
    /// tenant's override, else the partner's, else 14 (<see cref="PaymentTerms.Resolve"/>).
    /// </summary>
    public static async Task<int> TermsAsync(ScaiDbContext db, string partnerId, string tenantId, CancellationToken ct)
    {
        var tenant = await db.Set<TenantPaymentSettings>().AsNoTracking().Where(t => t.TenantId == tenantId).Select(t => t.PaymentTermsDays).FirstOrDefaultAsync(ct);
        var partner = await db.Set<PartnerPaymentSettings>().AsNoTracking().Where(p => p.PartnerId == partnerId).Select(p => (int?)p.PaymentTermsDays).FirstOrDefaultAsync(ct);
        return PaymentTerms.Resolve(tenant, partner);
    }

    /// <summary>
    /// Called by finalisation, after <see cref="Invoice.Finalise"/> and before its SaveChanges: an invoice gets its
    /// account (open, invoice.issued.v1); a credit note is allocated to the invoice it corrects (the amount due falls,
    /// a fully credited invoice is void, and an invoice with nothing left due settles its dunning).
    /// </summary>
    public static async Task OnFinalisedAsync(ScaiDbContext db, Invoice invoice, int paymentTermsDays, DateTimeOffset now, CancellationToken ct)
    {
        if (invoice.DocumentType == DocumentType.Invoice)
        {
            db.Set<InvoiceAccount>().Add(InvoiceAccount.Issue(invoice, paymentTermsDays, now));
            return;
        }

        var account = await db.Set<InvoiceAccount>().SingleOrDefaultAsync(a => a.InvoiceId == invoice.ReferencedInvoiceId, ct);
        if (account is null)
        {
            // An invoice finalised before payment states existed: nothing to allocate to.
            return;
        }

        db.Set<PaymentTransaction>().Add(account.ApplyCreditNote(invoice, db.Scope.ActorId, now));
        await SettleIfDoneAsync(db, account, $"credit note {invoice.Number}", now, ct);
    }

    /// <summary>
    /// When <paramref name="account"/> has nothing left due (paid or void): every active dunning case of the invoice
    /// settles (dunning.step.v1 "settled"), and its subscription resumes at once: past_due → active
    /// (settle_payment), suspended by dunning → active (unsuspend).
    /// </summary>
    public static async Task SettleIfDoneAsync(ScaiDbContext db, InvoiceAccount account, string detail, DateTimeOffset now, CancellationToken ct)
    {
        if (account.Status is not (InvoicePaymentStatus.Paid or InvoicePaymentStatus.Void))
        {
            return;
        }

        var cases = await db.Set<DunningCase>().Where(c => c.InvoiceId == account.InvoiceId && c.Status == DunningStatus.Active).ToListAsync(ct);
        foreach (var c in cases)
        {
            c.Settle(now);
            db.Set<DunningStepRecord>().Add(new DunningStepRecord(c, DunningSteps.Settled, detail, now));
            EmitStep(db, c, account, DunningSteps.Settled, detail, null, now);
            var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == c.SubscriptionId, ct);
            if (subscription is null)
            {
                continue;
            }

            // Another unpaid invoice of the same subscription keeps it where it is.
            var stillDunned = await db.Set<DunningCase>().AnyAsync(o => o.SubscriptionId == c.SubscriptionId && o.Id != c.Id && o.Status == DunningStatus.Active, ct);
            if (stillDunned)
            {
                continue;
            }

            if (subscription.Status == SubscriptionStatus.PastDue)
            {
                subscription.SettlePayment(now);
            }
            else if (subscription.Status == SubscriptionStatus.Suspended && c.SuspendedAt is not null)
            {
                subscription.Unsuspend(now);
            }
        }
    }

    /// <summary>Writes dunning.step.v1 for case <paramref name="c"/> to the outbox (with the caller's save).</summary>
    public static void EmitStep(ScaiDbContext db, DunningCase c, InvoiceAccount account, string step, string? detail, DunningDue? next, DateTimeOffset now)
    {
        var payload = new Dictionary<string, object?>
        {
            ["dunning_id"] = c.Id,
            ["subscription_id"] = c.SubscriptionId,
            ["invoice_id"] = c.InvoiceId,
            ["invoice_number"] = account.InvoiceNumber,
            ["tenant_id"] = c.TenantId,
            ["partner_id"] = c.PartnerId,
            ["step"] = step,
            ["attempts"] = c.Attempts,
            ["amount_due"] = account.AmountDueMinor,
            ["currency"] = account.Currency,
            ["days_since_first_failure"] = (int)Math.Floor((now - c.StartedAt).TotalDays),
            ["next_step"] = next?.Step,
            ["next_step_at"] = next?.At,
            ["detail"] = detail,
        };
        var e = new DomainEvent(EventTopics.DunningStep, c.PartnerId, c.TenantId, c.Id, now, payload);
        db.OutboxEvents.Add(new OutboxEvent(e, JsonSerializer.Serialize(e.Payload, AuditAndOutboxInterceptor.Json)));
    }
}
