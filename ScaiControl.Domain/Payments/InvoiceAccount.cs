using ScaiControl.Domain.Common;
using ScaiControl.Domain.Events;
using ScaiControl.Domain.Invoicing;

namespace ScaiControl.Domain.Payments;

/// <summary>
/// The payment state of a finalised invoice (issue 16): open → paid | partially_paid | overdue → uncollectible
/// (written off), and void when credit notes cover the whole invoice. Derived from the amounts, never set by hand.
/// </summary>
public enum InvoicePaymentStatus
{
    /// <summary>Issued, nothing paid, not yet past its due date (BT-9).</summary>
    Open,

    /// <summary>Part of the amount due was paid, not yet past the due date.</summary>
    PartiallyPaid,

    /// <summary>Nothing is due any more (payments and credit notes cover the gross total, BT-112).</summary>
    Paid,

    /// <summary>Past the due date with an amount still due (marked once by the overdue job).</summary>
    Overdue,

    /// <summary>Written off: the operator (or dunning at its end) gave up on the amount still due.</summary>
    Uncollectible,

    /// <summary>Credit notes credit the whole invoice (EN 16931 type 381 against BT-25 = this invoice).</summary>
    Void,
}

/// <summary>What a row of the payment ledger records.</summary>
public enum PaymentKind
{
    /// <summary>Money received for the invoice (positive amount).</summary>
    Payment,

    /// <summary>Money paid back to the buyer (against a credit note or an overpayment; positive amount, reduces what is paid).</summary>
    Refund,

    /// <summary>A finalised credit note allocated to the invoice: reduces the amount due (reference = the credit note's number).</summary>
    CreditAllocation,

    /// <summary>The amount still due written off (the invoice becomes uncollectible).</summary>
    WriteOff,

    /// <summary>A charge attempt that failed (amount = what was attempted); changes no amount.</summary>
    FailedAttempt,
}

/// <summary>Wire names (snake_case) of the payment enums.</summary>
public static class PaymentWireNames
{
    /// <summary>"open", "partially_paid", "paid", "overdue", "uncollectible", "void".</summary>
    public static string WireName(this InvoicePaymentStatus status) => status switch
    {
        InvoicePaymentStatus.PartiallyPaid => "partially_paid",
        _ => status.ToString().ToLowerInvariant(),
    };

    /// <summary>"payment", "refund", "credit_allocation", "write_off", "failed_attempt".</summary>
    public static string WireName(this PaymentKind kind) => kind switch
    {
        PaymentKind.CreditAllocation => "credit_allocation",
        PaymentKind.WriteOff => "write_off",
        PaymentKind.FailedAttempt => "failed_attempt",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Every payment status wire name.</summary>
    public static IReadOnlyList<string> Statuses { get; } = Enum.GetValues<InvoicePaymentStatus>().Select(s => s.WireName()).ToArray();
}

/// <summary>
/// The receivable of one finalised invoice: its gross total (BT-112), what credit notes took off, what was paid
/// (net of refunds) and so the amount due (BT-115 at issue), all in minor units of <see cref="Currency"/> (BT-5).
/// One row per invoice (table invoice_accounts), kept beside the immutable invoice. Every change goes through a
/// method that checks the rule, writes a <see cref="PaymentTransaction"/> and raises the invoice.* events once;
/// <see cref="Version"/> is a concurrency token, so two nodes cannot both apply a change to the same state.
/// </summary>
public sealed class InvoiceAccount : AggregateRoot, ITenantOwned
{
    private InvoiceAccount() { }

    /// <summary>Opens the account of <paramref name="invoice"/> (just finalised, an invoice not a credit note) and raises invoice.issued.v1.</summary>
    /// <exception cref="DomainConflictException">A draft or a credit note.</exception>
    public static InvoiceAccount Issue(Invoice invoice, int paymentTermsDays, DateTimeOffset now)
    {
        if (invoice.Status != InvoiceStatus.Finalised || invoice.DocumentType != DocumentType.Invoice)
        {
            throw new DomainConflictException($"Only a finalised invoice has a payment state; {invoice.Id} is not one.");
        }

        var account = new InvoiceAccount
        {
            InvoiceId = invoice.Id,
            PartnerId = invoice.PartnerId,
            TenantId = invoice.TenantId,
            InvoiceNumber = invoice.Number!,
            Currency = invoice.Currency,
            GrossMinor = invoice.GrossTotalMinor,
            IssueDate = invoice.IssueDate!.Value,
            DueDate = invoice.DueDate ?? invoice.IssueDate!.Value.AddDays(paymentTermsDays),
            PaymentTermsDays = paymentTermsDays,
            IssuedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        account.Status = account.Derive();
        if (account.Status == InvoicePaymentStatus.Paid)
        {
            account.PaidAt = now;
        }

        account.RaiseEvent(EventTopics.InvoiceIssued, now);
        if (account.Status == InvoicePaymentStatus.Paid)
        {
            account.RaiseEvent(EventTopics.InvoicePaid, now);
        }

        return account;
    }

    /// <summary>The invoice (primary key).</summary>
    public string InvoiceId { get; private set; } = default!;

    /// <summary>The seller partner.</summary>
    public string PartnerId { get; private set; } = default!;

    /// <summary>The buyer tenant.</summary>
    public string TenantId { get; private set; } = default!;

    /// <summary>BT-1 of the invoice (copied for lists and events).</summary>
    public string InvoiceNumber { get; private set; } = default!;

    /// <summary>BT-5 ISO 4217.</summary>
    public string Currency { get; private set; } = default!;

    /// <summary>BT-112 gross total, minor units.</summary>
    public long GrossMinor { get; private set; }

    /// <summary>Sum of the finalised credit notes allocated to the invoice (their BT-112), minor units.</summary>
    public long CreditedMinor { get; private set; }

    /// <summary>Payments received minus refunds, minor units.</summary>
    public long PaidMinor { get; private set; }

    /// <summary>Written off, minor units (the amount due at the write-off).</summary>
    public long WrittenOffMinor { get; private set; }

    /// <summary>BT-2.</summary>
    public DateOnly IssueDate { get; private set; }

    /// <summary>BT-9: issue date + payment terms.</summary>
    public DateOnly DueDate { get; private set; }

    /// <summary>The payment terms (days) in force at issue.</summary>
    public int PaymentTermsDays { get; private set; }

    /// <summary>The derived payment state, stored for filtering.</summary>
    public InvoicePaymentStatus Status { get; private set; }

    public DateTimeOffset IssuedAt { get; private set; }
    public DateTimeOffset? PaidAt { get; private set; }
    public DateTimeOffset? OverdueAt { get; private set; }
    public DateTimeOffset? WrittenOffAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Concurrency token, incremented by every change.</summary>
    public long Version { get; private set; }

    /// <summary>BT-115 as of now: gross − credited − paid − written off, minor units; never below zero (an excess is <see cref="RefundableMinor"/>).</summary>
    public long AmountDueMinor => Math.Max(0, GrossMinor - CreditedMinor - PaidMinor - WrittenOffMinor);

    /// <summary>What the buyer still owes, write-offs ignored (a payment after a write-off is still accepted up to this), minor units.</summary>
    public long OwedMinor => Math.Max(0, GrossMinor - CreditedMinor - PaidMinor);

    /// <summary>What was paid beyond what is owed (after credit notes), minor units: the most a refund may be.</summary>
    public long RefundableMinor => Math.Max(0, PaidMinor - Math.Max(0, GrossMinor - CreditedMinor));

    /// <summary>
    /// Records a payment of <paramref name="amount"/> received at <paramref name="receivedAt"/>. Overpayment policy:
    /// a payment above the amount due is refused (record the amount due and refund the rest), so the books never
    /// hold an unallocated credit. A payment settles an overdue or written-off invoice too.
    /// </summary>
    /// <exception cref="DomainValidationException">Not positive, or another currency than the invoice's (field amount / currency).</exception>
    /// <exception cref="DomainConflictException">Nothing is due (paid or void), or more than is due.</exception>
    public PaymentTransaction RecordPayment(Money amount, string provider, string reference, DateTimeOffset receivedAt, string recordedBy, DateTimeOffset now)
    {
        RequireAmount(amount);
        if (OwedMinor == 0)
        {
            throw new DomainConflictException($"Invoice {InvoiceNumber} is {Status.WireName()}: nothing is due.", Status.WireName(), []);
        }

        if (amount.MinorUnits > OwedMinor)
        {
            throw new DomainConflictException(
                $"Overpayment refused: {amount} is more than the {new Money(OwedMinor, Currency)} due on {InvoiceNumber}; record the amount due and refund the rest.",
                Status.WireName(), ["record_payment"]);
        }

        if (WrittenOffMinor > 0)
        {
            // Money arriving after a write-off reverses that much of the write-off.
            WrittenOffMinor = Math.Max(0, WrittenOffMinor - amount.MinorUnits);
        }

        PaidMinor += amount.MinorUnits;
        var row = new PaymentTransaction(this, PaymentKind.Payment, provider, reference, amount.MinorUnits, receivedAt, recordedBy, now);
        Changed(now);
        return row;
    }

    /// <summary>Records a refund of <paramref name="amount"/> (at most <see cref="RefundableMinor"/>: what was paid beyond what credit notes left owed).</summary>
    /// <exception cref="DomainValidationException">Not positive, or another currency.</exception>
    /// <exception cref="DomainConflictException">More than is refundable.</exception>
    public PaymentTransaction RecordRefund(Money amount, string provider, string reference, DateTimeOffset refundedAt, string recordedBy, DateTimeOffset now)
    {
        RequireAmount(amount);
        if (amount.MinorUnits > RefundableMinor)
        {
            throw new DomainConflictException(
                $"{new Money(RefundableMinor, Currency)} of {InvoiceNumber} is refundable (paid beyond what is owed after credit notes); {amount} was requested.", Status.WireName(), []);
        }

        PaidMinor -= amount.MinorUnits;
        var row = new PaymentTransaction(this, PaymentKind.Refund, provider, reference, amount.MinorUnits, refundedAt, recordedBy, now);
        Changed(now);
        return row;
    }

    /// <summary>Allocates finalised credit note <paramref name="creditNote"/> (its BT-112) to this invoice: the amount due falls; when the whole invoice is credited it is void.</summary>
    /// <exception cref="DomainConflictException">The credit note corrects another invoice, or is not finalised.</exception>
    public PaymentTransaction ApplyCreditNote(Invoice creditNote, string recordedBy, DateTimeOffset now)
    {
        if (creditNote.DocumentType != DocumentType.CreditNote || creditNote.ReferencedInvoiceId != InvoiceId || creditNote.Status != InvoiceStatus.Finalised)
        {
            throw new DomainConflictException($"{creditNote.Id} is not a finalised credit note of {InvoiceNumber}.");
        }

        CreditedMinor += creditNote.GrossTotalMinor;
        var row = new PaymentTransaction(this, PaymentKind.CreditAllocation, "credit_note", creditNote.Number!, creditNote.GrossTotalMinor, now, recordedBy, now);
        Changed(now);
        return row;
    }

    /// <summary>Writes off the amount still due (the invoice becomes uncollectible; a later payment still settles it).</summary>
    /// <exception cref="DomainConflictException">Nothing is due.</exception>
    public PaymentTransaction WriteOff(string reason, string recordedBy, DateTimeOffset now)
    {
        var due = AmountDueMinor;
        if (due == 0)
        {
            throw new DomainConflictException($"Invoice {InvoiceNumber} is {Status.WireName()}: nothing is due to write off.", Status.WireName(), []);
        }

        WrittenOffMinor += due;
        WrittenOffAt = now;
        var row = new PaymentTransaction(this, PaymentKind.WriteOff, "write_off", Guard.Text(reason, "reason", 200), due, now, recordedBy, now);
        Changed(now);
        return row;
    }

    /// <summary>Records a failed charge attempt and raises invoice.payment_failed.v1 (the amounts do not change).</summary>
    public PaymentTransaction RecordFailure(string provider, string reference, long attemptedMinor, string declineCode, bool hardDecline, int attempt, DateTimeOffset? nextRetryAt, string recordedBy, DateTimeOffset now)
    {
        var row = new PaymentTransaction(this, PaymentKind.FailedAttempt, provider, reference, attemptedMinor, now, recordedBy, now, declineCode);
        UpdatedAt = now;
        Version++;
        RaiseEvent(EventTopics.InvoicePaymentFailed, now, new Dictionary<string, object?>
        {
            ["provider"] = provider,
            ["reference"] = reference,
            ["decline_code"] = declineCode,
            ["decline"] = hardDecline ? "hard" : "soft",
            ["attempt"] = attempt,
            ["next_retry_at"] = nextRetryAt,
        });
        return row;
    }

    /// <summary>
    /// Marks the invoice overdue when <paramref name="today"/> (UTC date) is after its due date and something is
    /// still due; raises invoice.overdue.v1. Returns false (and changes nothing) when not due or already marked.
    /// </summary>
    public bool MarkOverdue(DateOnly today, DateTimeOffset now)
    {
        if (OverdueAt is not null || today <= DueDate || Status is not (InvoicePaymentStatus.Open or InvoicePaymentStatus.PartiallyPaid))
        {
            return false;
        }

        OverdueAt = now;
        Changed(now, new Dictionary<string, object?> { ["days_overdue"] = today.DayNumber - DueDate.DayNumber });
        return true;
    }

    private void RequireAmount(Money amount)
    {
        if (amount.Currency != Currency)
        {
            throw new DomainValidationException("currency", $"Invoice {InvoiceNumber} is in {Currency}; a {amount.Currency} amount cannot be recorded on it.");
        }

        if (amount.MinorUnits <= 0)
        {
            throw new DomainValidationException("amount", "amount must be a positive whole number of minor units (cents).");
        }
    }

    private InvoicePaymentStatus Derive()
    {
        if (GrossMinor > 0 && CreditedMinor >= GrossMinor)
        {
            return InvoicePaymentStatus.Void;
        }

        if (GrossMinor - CreditedMinor - PaidMinor <= 0)
        {
            return InvoicePaymentStatus.Paid;
        }

        if (WrittenOffMinor > 0 && AmountDueMinor == 0)
        {
            return InvoicePaymentStatus.Uncollectible;
        }

        if (OverdueAt is not null)
        {
            return InvoicePaymentStatus.Overdue;
        }

        return PaidMinor > 0 ? InvoicePaymentStatus.PartiallyPaid : InvoicePaymentStatus.Open;
    }

    private void Changed(DateTimeOffset now, IReadOnlyDictionary<string, object?>? extra = null)
    {
        var before = Status;
        Status = Derive();
        UpdatedAt = now;
        Version++;
        if (Status == before)
        {
            return;
        }

        switch (Status)
        {
            case InvoicePaymentStatus.Paid:
                PaidAt = now;
                RaiseEvent(EventTopics.InvoicePaid, now);
                break;
            case InvoicePaymentStatus.Overdue:
                RaiseEvent(EventTopics.InvoiceOverdue, now, extra);
                break;
        }
    }

    private void RaiseEvent(string topic, DateTimeOffset now, IReadOnlyDictionary<string, object?>? extra = null)
    {
        var payload = new Dictionary<string, object?>
        {
            ["invoice_id"] = InvoiceId,
            ["invoice_number"] = InvoiceNumber,
            ["tenant_id"] = TenantId,
            ["partner_id"] = PartnerId,
            ["payment_status"] = Status.WireName(),
            ["currency"] = Currency,
            ["total"] = GrossMinor,
            ["amount_paid"] = PaidMinor,
            ["amount_credited"] = CreditedMinor,
            ["amount_due"] = AmountDueMinor,
            ["issue_date"] = IssueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["due_date"] = DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (topic == EventTopics.InvoicePaid)
        {
            payload["paid_at"] = PaidAt;
        }

        foreach (var (k, v) in extra ?? new Dictionary<string, object?>())
        {
            payload[k] = v;
        }

        Raise(new DomainEvent(topic, PartnerId, TenantId, InvoiceId, now, payload));
    }
}

/// <summary>
/// One row of the payment ledger (table payment_transactions): a payment, refund, credit-note allocation, write-off
/// or failed attempt on one invoice, with the provider ("bank_transfer", "test", "stripe", "credit_note", …), its
/// reference (bank reference, provider payment id, credit note number), the amount in minor units of the invoice's
/// currency and when it happened. Rows are never changed or deleted.
/// </summary>
public sealed class PaymentTransaction : ITenantOwned
{
    private PaymentTransaction() { }

    internal PaymentTransaction(InvoiceAccount account, PaymentKind kind, string provider, string reference, long amountMinor, DateTimeOffset occurredAt, string recordedBy, DateTimeOffset now, string? failureCode = null)
    {
        Id = Ids.New("pay");
        InvoiceId = account.InvoiceId;
        PartnerId = account.PartnerId;
        TenantId = account.TenantId;
        Kind = kind;
        Provider = Guard.Text(provider, "method", 40);
        Reference = Guard.Text(reference, "reference", 200);
        AmountMinor = amountMinor;
        Currency = account.Currency;
        OccurredAt = occurredAt;
        RecordedAt = now;
        RecordedBy = recordedBy;
        FailureCode = failureCode;
    }

    public string Id { get; private set; } = default!;
    public string InvoiceId { get; private set; } = default!;
    public string PartnerId { get; private set; } = default!;
    public string TenantId { get; private set; } = default!;
    public PaymentKind Kind { get; private set; }

    /// <summary>Who moved the money: bank_transfer, test, stripe, mollie, coinbase; credit_note or write_off for book entries.</summary>
    public string Provider { get; private set; } = default!;

    /// <summary>The bank reference, provider object id, credit note number or write-off reason; unique per (invoice, provider, kind).</summary>
    public string Reference { get; private set; } = default!;

    /// <summary>Positive, minor units of <see cref="Currency"/>.</summary>
    public long AmountMinor { get; private set; }

    /// <summary>ISO 4217, always the invoice's.</summary>
    public string Currency { get; private set; } = default!;

    /// <summary>When the money moved (received_at for a bank transfer), UTC.</summary>
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>When the row was written, UTC.</summary>
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>The actor id that recorded it.</summary>
    public string RecordedBy { get; private set; } = default!;

    /// <summary>The provider's decline code of a failed attempt.</summary>
    public string? FailureCode { get; private set; }
}
