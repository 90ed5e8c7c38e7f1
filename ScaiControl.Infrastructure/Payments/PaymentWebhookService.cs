using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Payments;
using ScaiControl.Infrastructure.Persistence;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>What one provider webhook did: its event id, the outcome stored with it, the invoice it concerned, and whether it was a repeat.</summary>
public sealed record WebhookOutcome(string EventId, string Outcome, string? InvoiceId, bool Duplicate);

/// <summary>
/// Provider webhooks (issue 16, <c>POST /api/v1/payments/webhooks/{provider}</c>): the signature is verified over the
/// raw body by the provider, each provider event id is processed once (<c>provider_events</c>), the payment is fetched
/// again from the provider (the webhook is only a hint: its own amounts and states are never used), and only a
/// payment WE started (<c>provider_payments</c>) for the same invoice and the same tenant's provider customer is booked.
/// A success books a payment row for the amount we asked (a different amount or currency is a failure,
/// <c>amount_mismatch</c>); a decline a failed attempt. Out-of-order events are harmless: a payment already settled or
/// failed is not booked again.
/// </summary>
public sealed class PaymentWebhookService(ScaiDbFactory factory, PaymentProviderResolver resolver, TimeProvider clock)
{
    private const string Actor = "system:webhook";

    /// <summary>Handles one webhook of <paramref name="providerName"/>.</summary>
    /// <exception cref="NotFoundException">No such provider on this node.</exception>
    /// <exception cref="WebhookSignatureException">The signature does not verify (nothing changes).</exception>
    public async Task<WebhookOutcome> HandleAsync(string providerName, string rawBody, IReadOnlyDictionary<string, string> headers, CancellationToken ct = default)
    {
        await using var db = await factory.ForSystemAsync("payment webhook", ct);
        // One provider per partner: the account whose signing secret verifies the body is the one that sent it.
        IPaymentProvider? provider = null;
        string? partnerId = null;
        ProviderWebhook? hook = null;
        WebhookSignatureException? refusal = null;
        foreach (var (candidate, partner) in await resolver.ForWebhookAsync(db, providerName, ct))
        {
            try
            {
                hook = await candidate.VerifyWebhookAsync(rawBody, headers, ct);
                (provider, partnerId) = (candidate, partner);
                break;
            }
            catch (WebhookSignatureException e)
            {
                refusal = e;
            }
        }

        if (provider is null || hook is null)
        {
            throw refusal ?? new WebhookSignatureException("The webhook signature does not verify.");
        }

        var now = clock.GetUtcNow();
        if (await db.Set<ProviderEvent>().AsNoTracking().SingleOrDefaultAsync(e => e.Provider == providerName && e.EventId == hook.EventId, ct) is { } seen)
        {
            return new WebhookOutcome(seen.EventId, seen.Outcome, seen.InvoiceId, Duplicate: true);
        }

        var (outcome, invoiceId) = await ApplyAsync(db, provider, partnerId, hook, now, ct);
        db.Add(new ProviderEvent(providerName, hook.EventId, outcome, invoiceId, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same event delivered twice at once (or the account changed meanwhile): the stored event decides.
            db.ChangeTracker.Clear();
            if (await db.Set<ProviderEvent>().AsNoTracking().SingleOrDefaultAsync(e => e.Provider == providerName && e.EventId == hook.EventId, ct) is { } other)
            {
                return new WebhookOutcome(other.EventId, other.Outcome, other.InvoiceId, Duplicate: true);
            }

            throw;
        }

        return new WebhookOutcome(hook.EventId, outcome, invoiceId, Duplicate: false);
    }

    private static async Task<(string Outcome, string? InvoiceId)> ApplyAsync(ScaiDbContext db, IPaymentProvider provider, string? partnerId, ProviderWebhook hook, DateTimeOffset now, CancellationToken ct)
    {
        if (hook.ObjectRef is null)
        {
            return ("ignored: no payment named", null);
        }

        var payment = await db.Set<ProviderPayment>().SingleOrDefaultAsync(p => p.Provider == provider.Name && p.ProviderRef == hook.ObjectRef, ct);
        if (payment is null)
        {
            // Not a payment: perhaps a completed setup page storing the tenant's payment method (fetched, never read from the webhook).
            if (await provider.FetchMethodSetupAsync(hook.ObjectRef, ct) is { } setup)
            {
                var customer = await db.Set<PaymentCustomer>().SingleOrDefaultAsync(c => c.Provider == provider.Name && c.CustomerRef == setup.CustomerRef, ct);
                if (customer is null || (partnerId is not null && customer.PartnerId != partnerId))
                {
                    return ("refused: not a customer of this account", null);
                }

                customer.SetMethod(setup.MethodRef, setup.Label, now);
                return ("payment method stored", null);
            }

            return ("refused: not a payment we started", null);
        }

        if (partnerId is not null && payment.PartnerId != partnerId)
        {
            return ("refused: the payment belongs to another partner's account", payment.InvoiceId);
        }

        ProviderChargeResult fetched;
        try
        {
            fetched = await provider.FetchPaymentAsync(hook.ObjectRef, ct);
        }
        catch (NotFoundException)
        {
            return ("refused: the provider does not know the payment", payment.InvoiceId);
        }

        var account = await db.Set<InvoiceAccount>().SingleAsync(a => a.InvoiceId == payment.InvoiceId, ct);
        if (fetched.InvoiceId is not null && fetched.InvoiceId != payment.InvoiceId)
        {
            return ("refused: the provider holds it for another invoice", payment.InvoiceId);
        }

        if (fetched.CustomerRef is not null
            && !await db.Set<PaymentCustomer>().AnyAsync(c => c.Provider == provider.Name && c.CustomerRef == fetched.CustomerRef && c.TenantId == account.TenantId, ct))
        {
            return ("refused: paid by another tenant's customer", payment.InvoiceId);
        }

        if (payment.Status != ProviderPaymentStatus.Pending)
        {
            return ($"ignored: already {payment.Status.ToString().ToLowerInvariant()}", payment.InvoiceId);
        }

        switch (fetched.Status)
        {
            case ProviderPaymentStatus.Pending:
                return ("pending", payment.InvoiceId);
            case ProviderPaymentStatus.Succeeded when fetched.AmountMinor == payment.AmountMinor && fetched.Currency == payment.Currency:
                try
                {
                    db.Set<PaymentTransaction>().Add(account.RecordPayment(new Money(payment.AmountMinor, payment.Currency), provider.Name, fetched.ProviderRef, now, Actor, now));
                }
                catch (DomainConflictException e)
                {
                    // Paid meanwhile by other means: nothing is booked; the money is to be refunded at the provider.
                    payment.Fail("not_due", now);
                    return ("refused: " + e.Message, payment.InvoiceId);
                }

                payment.Succeed(now);
                await PaymentLedger.SettleIfDoneAsync(db, account, $"{provider.Name} {fetched.ProviderRef}", now, ct);
                return ("payment booked", payment.InvoiceId);
            default:
                var code = fetched.Status == ProviderPaymentStatus.Succeeded ? "amount_mismatch" : fetched.DeclineCode ?? "declined";
                payment.Fail(code, now);
                db.Set<PaymentTransaction>().Add(account.RecordFailure(provider.Name, fetched.ProviderRef, payment.AmountMinor, code, fetched.HardDecline || code == "amount_mismatch", 1, null, Actor, now));
                return ("failed: " + code, payment.InvoiceId);
        }
    }
}
