using Microsoft.EntityFrameworkCore;
using ScaiControl.Domain.Common;
using ScaiControl.Domain.Invoicing;
using ScaiControl.Domain.Payments;
using ScaiControl.Domain.Tenancy;
using ScaiControl.Infrastructure.Persistence;
using ScaiControl.Infrastructure.Tenancy;

namespace ScaiControl.Infrastructure.Payments;

/// <summary>An invoice's payment state with its ledger rows (oldest first).</summary>
/// <param name="Account">The account (status, amounts, due date).</param>
/// <param name="History">Every payment, refund, credit allocation, write-off and failed attempt.</param>
public sealed record InvoicePaymentView(InvoiceAccount Account, IReadOnlyList<PaymentTransaction> History);

/// <summary>
/// Invoice payments (issue 16) for the API, portal and CLI: reading an invoice's payment state and history, and the
/// operator's bookings — a received bank transfer, a refund, a write-off — each checked by <see cref="InvoiceAccount"/>
/// and saved with its ledger row, audit row and events in one transaction. Reads need invoices:read (a tenant sees its
/// own invoices); bookings need invoices:write and a partner-level actor (the operator or the seller partner's
/// admin): a tenant user gets 403, another partner's invoice is a 404.
/// </summary>
public sealed class PaymentService(ScaiDbFactory factory, TimeProvider clock)
{
    /// <summary>How often a booking is re-run when another request changed the same account at the same moment.</summary>
    private const int ConcurrencyAttempts = 5;

    /// <summary>The payment state and history of invoice <paramref name="invoiceId"/>; null for a draft or a credit note (they have none).</summary>
    /// <exception cref="NotFoundException">Unknown, or not visible to the actor.</exception>
    public async Task<InvoicePaymentView?> GetAsync(Actor actor, string invoiceId, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        await using var db = await factory.OpenAsync(actor, "read invoice payments", ct);
        var invoice = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("invoice", invoiceId);
        var account = await db.Set<InvoiceAccount>().AsNoTracking().SingleOrDefaultAsync(a => a.InvoiceId == invoiceId, ct);
        if (account is null)
        {
            return null;
        }

        var history = await db.Set<PaymentTransaction>().AsNoTracking().Where(t => t.InvoiceId == invoiceId).ToListAsync(ct);
        return new InvoicePaymentView(account, history.OrderBy(t => t.RecordedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
    }

    /// <summary>The payment states of several invoices the actor can see (for lists), by invoice id.</summary>
    public async Task<IReadOnlyDictionary<string, InvoiceAccount>> GetManyAsync(Actor actor, IReadOnlyCollection<string> invoiceIds, CancellationToken ct = default)
    {
        Require(actor, Permissions.InvoicesRead);
        if (invoiceIds.Count == 0)
        {
            return new Dictionary<string, InvoiceAccount>();
        }

        await using var db = await factory.OpenAsync(actor, "read invoice payments", ct);
        return await db.Set<InvoiceAccount>().AsNoTracking().Where(a => invoiceIds.Contains(a.InvoiceId)).ToDictionaryAsync(a => a.InvoiceId, ct);
    }

    /// <summary>
    /// Records a bank transfer of <paramref name="amountMinor"/> <paramref name="currency"/> received at
    /// <paramref name="receivedAt"/> with the bank's <paramref name="reference"/>. The currency must be the invoice's,
    /// and a payment above the amount due is refused (overpayment policy, <see cref="InvoiceAccount.RecordPayment"/>);
    /// the same reference twice on one invoice is refused. A payment that leaves nothing due makes the invoice paid
    /// (invoice.paid.v1) and settles its dunning (the subscription resumes at once).
    /// </summary>
    /// <exception cref="DomainValidationException">Bad field (method, currency, amount, reference, received_at in the future).</exception>
    /// <exception cref="DomainConflictException">Not payable (paid, void, a draft or credit note), overpayment, or a duplicate reference.</exception>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    public async Task<InvoicePaymentView> RecordPaymentAsync(Actor actor, string invoiceId, long? amountMinor, string? currency, string? method, string? reference, DateTimeOffset? receivedAt, CancellationToken ct = default)
    {
        RequireBooker(actor);
        if (method != PaymentProviders.BankTransfer)
        {
            throw new DomainValidationException("method", "method must be \"bank_transfer\" (payments through a provider are booked from its webhook).");
        }

        var (amount, at) = Inputs(amountMinor, currency, receivedAt);
        var checkedReference = Guard.Text(reference, "reference", 200);
        return await BookAsync(actor, invoiceId, "record payment", (account, db, now) =>
        {
            var row = account.RecordPayment(amount, PaymentProviders.BankTransfer, checkedReference, at, actor.UserId, now);
            return (row, "payment " + checkedReference);
        }, ct);
    }

    /// <summary>
    /// Records a refund paid back to the buyer (after a credit note on a paid invoice): at most what was paid beyond
    /// what is still owed. <paramref name="method"/> is bank_transfer (provider refunds go through the provider).
    /// </summary>
    /// <exception cref="DomainValidationException">Bad field.</exception>
    /// <exception cref="DomainConflictException">More than is refundable, or a duplicate reference.</exception>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    public async Task<InvoicePaymentView> RecordRefundAsync(Actor actor, string invoiceId, long? amountMinor, string? currency, string? method, string? reference, DateTimeOffset? refundedAt, CancellationToken ct = default)
    {
        RequireBooker(actor);
        if (method != PaymentProviders.BankTransfer)
        {
            throw new DomainValidationException("method", "method must be \"bank_transfer\".");
        }

        var (amount, at) = Inputs(amountMinor, currency, refundedAt);
        var checkedReference = Guard.Text(reference, "reference", 200);
        return await BookAsync(actor, invoiceId, "record refund", (account, db, now) =>
            (account.RecordRefund(amount, PaymentProviders.BankTransfer, checkedReference, at, actor.UserId, now), null), ct);
    }

    /// <summary>Writes off what is still due (uncollectible); a later payment still settles the invoice.</summary>
    /// <exception cref="DomainValidationException">No reason.</exception>
    /// <exception cref="DomainConflictException">Nothing is due.</exception>
    /// <exception cref="NotFoundException">Unknown or invisible invoice.</exception>
    public async Task<InvoicePaymentView> WriteOffAsync(Actor actor, string invoiceId, string? reason, CancellationToken ct = default)
    {
        RequireBooker(actor);
        var checkedReason = Guard.Text(reason, "reason", 200);
        return await BookAsync(actor, invoiceId, "write off invoice", (account, db, now) => (account.WriteOff(checkedReason, actor.UserId, now), null), ct);
    }

    /// <summary>
    /// Runs one booking on the invoice's account: reads it in the actor's scope, applies <paramref name="book"/>,
    /// settles dunning when nothing is left due and saves; re-runs on fresh state when another writer changed the
    /// account meanwhile (its <see cref="InvoiceAccount.Version"/>).
    /// </summary>
    internal async Task<InvoicePaymentView> BookAsync(Actor actor, string invoiceId, string purpose, Func<InvoiceAccount, ScaiDbContext, DateTimeOffset, (PaymentTransaction Row, string? SettleDetail)> book, CancellationToken ct)
    {
        await using var db = await factory.OpenAsync(actor, purpose, ct);
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var account = await LoadAccountAsync(db, invoiceId, ct);
            var now = clock.GetUtcNow();
            var (row, detail) = book(account, db, now);
            await EnsureNewReferenceAsync(db, row, ct);
            db.Set<PaymentTransaction>().Add(row);
            await PaymentLedger.SettleIfDoneAsync(db, account, detail ?? row.Kind.WireName(), now, ct);
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateConcurrencyException) when (attempt < ConcurrencyAttempts)
            {
                // Someone else booked on this account at the same moment: decide again on what is there now.
            }
            catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException)
            {
                throw new DomainConflictException($"A {row.Kind.WireName()} with reference '{row.Reference}' is already recorded on this invoice.");
            }
        }

        db.ChangeTracker.Clear();
        var view = await db.Set<InvoiceAccount>().AsNoTracking().SingleAsync(a => a.InvoiceId == invoiceId, ct);
        var history = await db.Set<PaymentTransaction>().AsNoTracking().Where(t => t.InvoiceId == invoiceId).ToListAsync(ct);
        return new InvoicePaymentView(view, history.OrderBy(t => t.RecordedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList());
    }

    /// <summary>The tracked account of a finalised invoice in <paramref name="db"/>'s scope.</summary>
    /// <exception cref="NotFoundException">Unknown or invisible.</exception>
    /// <exception cref="DomainConflictException">A draft or a credit note (no payment state).</exception>
    internal static async Task<InvoiceAccount> LoadAccountAsync(ScaiDbContext db, string invoiceId, CancellationToken ct)
    {
        var account = await db.Set<InvoiceAccount>().SingleOrDefaultAsync(a => a.InvoiceId == invoiceId, ct);
        if (account is not null)
        {
            return account;
        }

        var invoice = await db.Invoices.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invoiceId, ct) ?? throw new NotFoundException("invoice", invoiceId);
        throw invoice.DocumentType == DocumentType.CreditNote
            ? new DomainConflictException($"{invoice.Number} is a credit note: payments are recorded on the invoice it corrects ({invoice.ReferencedInvoiceNumber}).", "finalised", [])
            : new DomainConflictException($"Invoice {invoiceId} is a draft: it has no payment state until it is finalised.", "draft", ["finalize"]);
    }

    private static async Task EnsureNewReferenceAsync(ScaiDbContext db, PaymentTransaction row, CancellationToken ct)
    {
        if (row.Kind is PaymentKind.Payment or PaymentKind.Refund
            && await db.Set<PaymentTransaction>().AnyAsync(t => t.InvoiceId == row.InvoiceId && t.Provider == row.Provider && t.Kind == row.Kind && t.Reference == row.Reference, ct))
        {
            throw new DomainConflictException($"A {row.Kind.WireName()} with reference '{row.Reference}' is already recorded on this invoice.");
        }
    }

    private (Money Amount, DateTimeOffset At) Inputs(long? amountMinor, string? currency, DateTimeOffset? at)
    {
        if (amountMinor is null)
        {
            throw new DomainValidationException("amount", "amount is required (minor units, e.g. 2900 = EUR 29.00).");
        }

        if (!Currencies.IsKnown(currency))
        {
            throw new DomainValidationException("currency", "currency must be an ISO 4217 code such as EUR.");
        }

        var when = at ?? throw new DomainValidationException("received_at", "received_at is required (RFC 3339, e.g. 2026-12-03T10:00:00Z).");
        if (when > clock.GetUtcNow().AddMinutes(5))
        {
            throw new DomainValidationException("received_at", "received_at lies in the future.");
        }

        return (new Money(amountMinor.Value, currency!), when.ToUniversalTime());
    }

    private static void RequireBooker(Actor actor)
    {
        Require(actor, Permissions.InvoicesWrite);
        if (actor.TenantId is not null && !actor.IsSuperAdmin)
        {
            throw new UnauthorizedAccessException("Only the operator or the seller partner's admin records payments, refunds and write-offs.");
        }
    }

    private static void Require(Actor actor, string permission)
    {
        if (!actor.Can(permission))
        {
            throw new UnauthorizedAccessException($"The permission '{permission}' is required.");
        }
    }
}
